# help2man.awk - one man page (roff, man macros) from a `bellows ... --help` text.
#
# Variables: page (bellows or bellows-CMD), source (the command whose help it is), title (the NAME line's text), version.
# The help text is blocks separated by blank lines: the first is "usage: ..." (SYNOPSIS);
# a block of "  --option ARG  text" lines is OPTIONS; a block headed "word:" alone is a
# section of that name with "  name  text" entries; "Exit status: ..." is EXIT STATUS;
# any other block is a paragraph of DESCRIPTION. Continuation lines are indented deeper.
# SPDX-License-Identifier: MIT

function esc(s) {
    gsub(/\\/, "\\e", s)
    return s
}
# Output goes to the buffer of the current section; END prints the sections in man order.
function emit(s) {
    buf[current] = buf[current] s "\n"
}
function line_out(s) {
    s = esc(s)
    if (s ~ /^[.']/) {
        s = "\\&" s
    }
    emit(s)
}
function dashes(s) {
    gsub(/-/, "\\-", s)
    return s
}
# "SPEC" as man shows an option: each "name arg" of a comma-separated list, the name bold
# and the argument italic.
function tag(spec,    items, k, n_items, out, item, sp, name, arg) {
    n_items = split(spec, items, /, /)
    out = ""
    for (k = 1; k <= n_items; k++) {
        item = items[k]
        sp = index(item, " ")
        name = sp ? substr(item, 1, sp - 1) : item
        arg = sp ? substr(item, sp + 1) : ""
        sub(/,$/, "", name)
        out = out (k > 1 ? ", " : "") "\\fB" dashes(esc(name)) "\\fR"
        if (arg != "") {
            out = out " \\fI" esc(arg) "\\fR"
        }
    }
    return out
}
# Split an entry line "  SPEC  text" at its first run of two or more spaces. Without one:
# a list ("a, b" or "--x A, --y B") is all spec; else the name, and an ARGUMENT in capitals
# after it, are the spec and the rest is text.
function split_entry(l,    w, n_w, k) {
    sub(/^ +/, "", l)
    if (match(l, /  +/)) {
        e_spec = substr(l, 1, RSTART - 1)
        e_text = substr(l, RSTART + RLENGTH)
        return
    }
    n_w = split(l, w, " ")
    if (w[1] ~ /,$/ || l ~ /, -/ || n_w < 2) {
        e_spec = l
        e_text = ""
        return
    }
    k = w[2] ~ /^[A-Z]/ ? 2 : 1
    e_spec = w[1] (k == 2 ? " " w[2] : "")
    e_text = substr(l, length(e_spec) + 2)
}
# Entries from lines[i]: a spec ending in "," with no text goes on in the next "  -" line.
# Returns the index of the entry's last line.
function entry(i) {
    split_entry(lines[i])
    spec = e_spec
    text = e_text
    while (spec ~ /,$/ && text == "" && i < n && lines[i + 1] ~ /^  -/) {
        split_entry(lines[++i])
        spec = spec " " e_spec
        text = e_text
    }
    emit(".TP")
    emit(tag(spec))
    if (text != "") {
        line_out(text)
    }
    return i
}
function is_option_block(    i) {
    for (i = 1; i <= n; i++) {
        if (lines[i] ~ /^  -/) {
            return 1
        }
    }
    return 0
}
function section(name) {
    if (!(name in buf)) {
        buf[name] = ""
        if (name != "SYNOPSIS" && name != "DESCRIPTION" && name != "EXIT STATUS") {
            order[++n_order] = name
        }
    }
    current = name
}
function flush(    i, l, head, n_desc) {
    if (n == 0) {
        return
    }
    if (lines[1] ~ /^usage: /) {
        section("SYNOPSIS")
        emit(".nf")
        for (i = 1; i <= n; i++) {
            l = lines[i]
            sub(/^usage: /, "", l)
            sub(/^       /, "", l)
            line_out(l)
        }
        emit(".fi")
    } else if (lines[1] ~ /^Exit status: /) {
        section("EXIT STATUS")
        for (i = 1; i <= n; i++) {
            l = lines[i]
            sub(/^Exit status: /, "", l)
            line_out(l)
        }
    } else if (is_option_block()) {
        # Options, maybe after a line or two saying what they are about.
        section("OPTIONS")
        if (lines[1] !~ /^  / && buf["OPTIONS"] != "") {
            emit(".PP")
        }
        for (i = 1; i <= n; i++) {
            if (lines[i] ~ /^  -/) {
                i = entry(i)
            } else {
                l = lines[i]
                sub(/^ +/, "", l)
                line_out(l)
            }
        }
    } else if (lines[1] ~ /^[A-Za-z][A-Za-z ]*:$/ && n > 1) {
        head = toupper(substr(lines[1], 1, length(lines[1]) - 1))
        section(head)
        for (i = 2; i <= n; i++) {
            if (lines[i] ~ /^  [^ ]/) {
                i = entry(i)
            } else {
                l = lines[i]
                sub(/^ +/, "", l)
                line_out(l)
            }
        }
    } else {
        if ("DESCRIPTION" in buf) {
            section("DESCRIPTION")
            emit(".PP")
        } else {
            section("DESCRIPTION")
        }
        for (i = 1; i <= n; i++) {
            line_out(lines[i])
        }
    }
    n = 0
}
BEGIN {
    n = 0
    n_order = 0
}
/^$/ {
    flush()
    next
}
{
    lines[++n] = $0
}
END {
    flush()
    print ".\\\" Generated from '" source " --help' by cmake/help2man.awk; do not edit."
    print ".TH " toupper(page) " 1 \"\" \"" esc(version) "\" \"bellows manual\""
    print ".SH NAME"
    print dashes(page) " \\- " esc(title)
    if ("SYNOPSIS" in buf) {
        printf ".SH SYNOPSIS\n%s", buf["SYNOPSIS"]
    }
    if ("DESCRIPTION" in buf) {
        printf ".SH DESCRIPTION\n%s", buf["DESCRIPTION"]
    }
    for (i = 1; i <= n_order; i++) {
        printf ".SH %s\n%s", order[i], buf[order[i]]
    }
    if ("EXIT STATUS" in buf) {
        printf ".SH EXIT STATUS\n%s", buf["EXIT STATUS"]
    }
    if (see_also != "") {
        print ".SH SEE ALSO"
        print see_also
    }
}
