# An unknown flag is a usage error: exit 2, nothing on stdout, a "dupstrip: ..." message on
# stderr followed (on the same or a later line) by the hint "try 'dupstrip --help'".
rc=0
"$DUPSTRIP" --no-such-flag 2>err.txt || rc=$?
cat err.txt >&2
grep -q "try 'dupstrip --help'" err.txt || echo "stderr lacks the hint: try 'dupstrip --help'"
exit "$rc"
