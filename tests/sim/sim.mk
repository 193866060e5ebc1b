# tests/sim/sim.mk - the clock simulator (included by the top Makefile).
#   make sim          tests/sim/libgnomonsim.so and tests/sim/gnomon-sim
#   make sim-check    the simulator's own tests (tests/sim/run-tests.sh)
# The library and the runner are built without sanitizers even with SAN=1:
# a sanitized preload cannot load into an unsanitized program. Their
# objects live in build/sim whatever BUILD is.

SIM_CORE_SRC := $(addprefix tests/sim/,prng.c scenario.c scenario_event.c scenario_health.c scendate.c \
		kntp.c truth.c sustain.c simlog.c world.c world_out.c sysclk.c phcsim.c phcioctl.c \
		netscn.c netpath.c ntpserver.c ntpclient.c net.c net_out.c health.c scenario_bond.c bond.c nlmsg.c) \
		util/where.c
SIM_PRELOAD_SRC := $(addprefix tests/sim/,real.c preload.c simfd.c vtime.c timerfd.c \
		ic_block.c ic_clock.c ic_fd.c ic_signal.c ic_caps.c ic_unsup.c \
		ic_net.c ic_sockopt.c ic_netio.c ic_netmsg.c ic_resolv.c ic_random.c ic_health.c \
		ptp4lplay.c netlink.c)
SIM_PRELOAD_SRC += daemon/source/pmc_msg.c daemon/source/pmc_build.c
SIM_RUNNER_SRC := $(addprefix tests/sim/,runner.c runner_guard.c scenario.c scenario_event.c \
		scenario_health.c scendate.c netscn.c scenario_bond.c) \
		util/where.c
SIM_TEST_SRC := $(wildcard tests/sim/tests/*.c)

SIM_OBJDIR := build/sim
SIM_CFLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(ALL_CFLAGS))
SIM_PIC_OBJ := $(patsubst %.c,$(SIM_OBJDIR)/pic/%.o,$(SIM_CORE_SRC) $(SIM_PRELOAD_SRC))
SIM_RUNNER_OBJ := $(patsubst %.c,$(SIM_OBJDIR)/obj/%.o,$(SIM_RUNNER_SRC))
SIM_TEST_BINS := $(patsubst tests/sim/tests/%.c,$(SIM_OBJDIR)/tests/%,$(SIM_TEST_SRC))

.PHONY: sim sim-tests
all: sim
sim: tests/sim/libgnomonsim.so tests/sim/gnomon-sim
sim-tests: $(SIM_TEST_BINS)

$(SIM_OBJDIR)/pic/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -fPIC -c -o $@ $<

$(SIM_OBJDIR)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -c -o $@ $<

# Linked under a temporary name and renamed: a run that starts while make
# relinks loads the old file or the new one, never a half-written one.
SIM_LINK_ATOMIC = && mv -f $@.tmp.$$$$ $@ || { rm -f $@.tmp.$$$$; exit 1; }

tests/sim/libgnomonsim.so: $(SIM_PIC_OBJ)
	$(CC) -shared -Wl,-z,defs -o $@.tmp.$$$$ $^ -ldl -lm $(SIM_LINK_ATOMIC)

tests/sim/gnomon-sim: $(SIM_RUNNER_OBJ)
	$(CC) -o $@.tmp.$$$$ $^ $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap) \
		-ldl -lm $(SIM_LINK_ATOMIC)

# Toy daemons and probes run under the simulator by run-tests.sh.
SIM_TEST_LIBS = -lm
$(SIM_OBJDIR)/tests/toy_privdrop: SIM_TEST_LIBS += -lcap
$(SIM_OBJDIR)/tests/toy_bond: SIM_TEST_LIBS += $(shell pkg-config --libs libnl-3.0 2>/dev/null)
$(SIM_OBJDIR)/tests/%: $(SIM_OBJDIR)/obj/tests/sim/tests/%.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(SIM_TEST_LIBS)

# A static program: no ld.so, so LD_PRELOAD is ignored without a word (the
# handshake test). Without a static libc it is left out and the test skipped.
$(SIM_OBJDIR)/tests/static_main: $(SIM_OBJDIR)/obj/tests/sim/tests/static_main.o
	@mkdir -p $(@D)
	@$(CC) -static -o $@ $< 2>/dev/null || \
		echo "sim.mk: no static libc: $@ not built (its test is skipped)" >&2

.SECONDARY: $(patsubst tests/sim/tests/%.c,$(SIM_OBJDIR)/obj/tests/sim/tests/%.o,$(SIM_TEST_SRC))

sim-check: sim sim-tests
	@sh tests/sim/run-tests.sh

# Unit tests of the pure parts (tests/unit/test_sim_*.c) link these.
SIM_UNIT_OBJ = $(call obj,$(SIM_CORE_SRC))
$(filter $(BUILD)/tests/unit/test_sim_%,$(UNIT_BINS)): $(SIM_UNIT_OBJ)

ifneq ($(BUILD),build)	# else the top Makefile already includes them
-include $(shell find $(SIM_OBJDIR) -name '*.d' 2>/dev/null)
endif

.PHONY: sim-clean
clean: sim-clean
sim-clean:
	rm -f tests/sim/libgnomonsim.so tests/sim/gnomon-sim
