#!/bin/sh
# bench_pipeline_instr.sh BENCH_PIPELINE [HOURS [MAX]] - instructions per sample of the
# pipeline and of each stage inside it (the stages' entry points called by
# bel_pipeline_process, inclusive), counted by callgrind: exact, unlike times on
# a shared machine. With MAX, fails when the pipeline takes more than MAX per
# sample. Skips, saying so, without valgrind.
set -eu
bench=$1
hours=${2:-0.25}
max=${3:-}
if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
    echo "bench_pipeline_instr: valgrind (callgrind) not installed; skipped"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
valgrind --tool=callgrind --toggle-collect=stage_pipeline --callgrind-out-file="$dir/cg.out" "$bench" "$hours" 1 >"$dir/out" 2>"$dir/err" ||
    { cat "$dir/err" >&2; exit 1; }
n=$(sed -n 's/^bench_pipeline: \([0-9]*\) samples.*/\1/p' "$dir/out")
# --auto=no: only the per-function totals, one line each (the annotated source would
# repeat a function at each of its call sites: counted twice, or one call site of two).
callgrind_annotate --inclusive=yes --auto=no "$dir/cg.out" >"$dir/ann" 2>/dev/null
# Exclusive counts by source file and function: a stage's code inlined into the
# pipeline (link-time optimisation inlines the head of bel_holdin_push_breath, say)
# is listed as the stage's file within the pipeline's function, and counts for the
# stage (what it calls out of line is counted by the entry points below).
callgrind_annotate --inclusive=no --auto=no "$dir/cg.out" >"$dir/self" 2>/dev/null
awk -v n="$n" -v max="$max" '
    function ir(v) { gsub(",", "", v); return v + 0 }
    FNR == NR {
        if ($0 !~ /\/(breath|holdin|spectrum)\.c:(stage_pipeline|bel_pipeline_process)( |$)/) next
        key = $0
        sub(/ \[.*$/, "", key)
        sub(/^.*\//, "", key)
        if (key in seen_self) next
        seen_self[key] = 1
        stage = key
        sub(/\.c:.*$/, "", stage)
        inlined[stage] += ir($1)
        next
    }
    # A function listed twice (under its full and its relative file name when run
    # from the source folder) counts once.
    {
        name = $0
        sub(/ \[.*$/, "", name)
        sub(/^.*:/, "", name)
        if (name in seen) next
        seen[name] = 1
    }
    # Link-time optimisation may rename a function it specialises (a suffix such
    # as .constprop.0): still the same function, counted under its own name.
    /:stage_pipeline(\.[a-z_]+\.[0-9]+)*( |$)/ { all = ir($1) }
    /:bel_median_process(\.[a-z_]+\.[0-9]+)*( |$)/ { despike = ir($1) }
    /:bel_breath_process(\.[a-z_]+\.[0-9]+)*( |$)/ { breath = ir($1) }
    /:bel_holdin_process(\.[a-z_]+\.[0-9]+)*( |$)/ { holdin += ir($1) }
    /:bel_holdin_push_breath(\.[a-z_]+\.[0-9]+)*( |$)/ { holdin += ir($1) }
    /:bel_spectrum_push(\.[a-z_]+\.[0-9]+)*( |$)/ { spectrum = ir($1) }
    # Its part per decimated sample, out of line (counted in bel_spectrum_push when that is).
    /:push_decimated(\.[a-z_]+\.[0-9]+)*( |$)/ { spectrum_dec = ir($1) }
    END {
        if (!n || !all) { print "bench_pipeline_instr: no figures"; exit 1 }
        breath += inlined["breath"]
        holdin += inlined["holdin"]
        if (!spectrum) spectrum = spectrum_dec
        spectrum += inlined["spectrum"]
        glue = all - despike - breath - holdin - spectrum
        printf "bench_pipeline_instr: %d samples, instructions/sample: pipeline %.0f\n", n, all / n
        # A stage whose entry point is inlined (the despike median is inline in
        # filter.h; link-time optimisation may inline a stage into the pipeline) has
        # no figure of its own: its instructions are in glue, which says so.
        line = ""
        inl = ""
        if (despike) line = line sprintf(", despike (2 belts) %.0f", despike / n); else inl = inl ", the despike"
        if (breath) line = line sprintf(", breath %.0f", breath / n); else inl = inl ", breath"
        if (holdin) line = line sprintf(", hold-in %.0f", holdin / n); else inl = inl ", hold-in"
        if (spectrum) line = line sprintf(", spectrum %.0f", spectrum / n); else inl = inl ", spectrum"
        if (inl != "") line = line sprintf(", glue with%s (inlined, not separable) %.0f", substr(inl, 2), glue / n)
        else line = line sprintf(", glue %.0f", glue / n)
        printf "bench_pipeline_instr: per stage: %s\n", substr(line, 3)
        if (max != "" && all / n > max + 0) {
            printf "bench_pipeline_instr: %.0f instructions per sample, above the ceiling of %d\n", all / n, max
            exit 1
        }
    }' "$dir/self" "$dir/ann"
