# Fork latency against parent size, copy-on-write against eager fork.
# bench/bench.py calls it as
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; note='...'" bench/bench.gp
# with datafile columns: MiB, fork COW, fork eager, fork+touch-all COW,
# fork+touch-all eager (microseconds).
if (!exists("term")) term = "pngcairo"
if (!exists("note")) note = "QEMU virt"
if (term eq "pngcairo") {
    set terminal pngcairo size 900,560 enhanced font "sans,11"
} else {
    set terminal png size 900,560
}
set output outfile
set title "calf: fork latency vs parent size, COW vs eager (medians)\n{/*0.85 ".note."}"
set xlabel "parent memory, every page touched (MiB)"
set ylabel "time (microseconds, log scale)"
set logscale y
set format y "10^{%L}"
set xrange [-1:33]
set xtics (0, 1, 8, 16, 24, 32)
set grid ytics mytics xtics
set key bottom right
plot datafile using 1:3 with linespoints lw 2 pt 7 lc rgb "#c0392b" title "fork+exit+wait, eager", \
     datafile using 1:2 with linespoints lw 2 pt 7 lc rgb "#2471a3" title "fork+exit+wait, COW", \
     datafile using 1:5 with linespoints lw 2 dt 2 pt 6 ps 1.8 lc rgb "#c0392b" title "fork, child writes every page, eager", \
     datafile using 1:4 with linespoints lw 2 dt 2 pt 6 ps 1.8 lc rgb "#2471a3" title "fork, child writes every page, COW"
