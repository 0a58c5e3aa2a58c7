# Fork latency against parent size, copy-on-write against eager fork.
# bench/bench.py calls it as
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; note='...'" bench/bench.gp
# with datafile columns: MiB, where to draw it on the log-scale x axis (0 MiB
# at 0.5), fork COW, fork eager, fork+touch-all COW, fork+touch-all eager,
# fork COW with 4 KiB pages only, and the anchors' fork: Linux 4 KiB, Linux
# THP, xv6 (microseconds; '?' where not measured: the eager kernel does not
# run the 512 MiB parent, the touch-all runs stop at 32 MiB, and the anchors
# have 0 and 32 MiB only).
if (!exists("term")) term = "pngcairo"
if (!exists("note")) note = "QEMU virt"
if (term eq "pngcairo") {
    set terminal pngcairo size 900,560 enhanced font "sans,11"
} else {
    set terminal png size 900,560
}
set output outfile
set datafile missing "?"
set title "calf: fork latency vs parent size, COW vs eager, with Linux and xv6 (medians)\n{/*0.85 ".note."}"
set xlabel "parent memory, every page touched (MiB, log scale; 0 drawn at 0.5)"
set ylabel "time (microseconds, log scale)"
set logscale xy
set format y "10^{%L}"
set xrange [0.35:800]
set xtics ("0" 0.5, "1" 1, "8" 8, "32" 32, "512" 512)
set grid ytics mytics xtics
set key top left
plot datafile using 2:4 with linespoints lw 2 pt 7 lc rgb "#c0392b" title "fork+exit+wait, eager", \
     datafile using 2:3 with linespoints lw 2 pt 7 lc rgb "#2471a3" title "fork+exit+wait, COW", \
     datafile using 2:7 with linespoints lw 2 pt 5 lc rgb "#1e8449" title "fork+exit+wait, COW, 4 KiB pages only", \
     datafile using 2:6 with linespoints lw 2 dt 2 pt 6 ps 1.8 lc rgb "#c0392b" title "fork, child writes every page, eager", \
     datafile using 2:5 with linespoints lw 2 dt 2 pt 6 ps 1.8 lc rgb "#2471a3" title "fork, child writes every page, COW", \
     datafile using 2:8 with points pt 2 ps 1.6 lw 2 lc rgb "#7d3c98" title "fork+exit+wait, Linux 6.1, 4 KiB", \
     datafile using 2:9 with points pt 3 ps 1.6 lw 2 lc rgb "#7d3c98" title "fork+exit+wait, Linux 6.1, THP", \
     datafile using 2:10 with points pt 4 ps 1.6 lw 2 lc rgb "#666666" title "fork+exit+wait, xv6 COW lab"
