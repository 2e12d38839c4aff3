# `dupstrip --help` and `-h`: exit 0, usage on stdout that names the `clean` command, stderr empty.
set -eu
"$DUPSTRIP" --help >long.txt
"$DUPSTRIP" -h >short.txt
grep -q clean long.txt && echo "--help mentions clean"
grep -q clean short.txt && echo "-h mentions clean"
