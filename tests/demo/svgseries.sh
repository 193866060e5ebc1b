# svg_series SVG: one line per plotted series of a gnuplot SVG, "TITLE
# POINTS" (the key's text and the number of points of its line)
svg_series() {
	awk '/<g id="gnuplot_plot_/ { if (t != "") print t, n; t = ""; n = 0; g = 1; next }
		g && t == "" && /<text>/ { s = $0; sub(/.*<text>/, "", s); sub(/<\/text>.*/, "", s); t = s }
		g { n += gsub(/ L/, "&") }
		END { if (t != "") print t, n }' "$1"
}
