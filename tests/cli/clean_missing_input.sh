# `dupstrip clean` on an input that does not exist: nothing could be processed, so exit 2,
# with a "dupstrip: ..." message on stderr that names the missing path.
"$DUPSTRIP" clean does-not-exist -o out
