# `dupstrip -V` is the short form of --version (STYLE.md §3, §5).
"$DUPSTRIP" -V
