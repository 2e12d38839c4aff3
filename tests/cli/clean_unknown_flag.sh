# An unknown flag after the `clean` subcommand is a usage error too: exit 2, nothing written.
rc=0
"$DUPSTRIP" clean "$SAMPLES/articles" -o out --no-such-flag 2>err.txt || rc=$?
cat err.txt >&2
grep -q "try 'dupstrip --help'" err.txt || echo "stderr lacks the hint: try 'dupstrip --help'"
if [ -e out ]; then echo "output was created despite the usage error"; fi
exit "$rc"
