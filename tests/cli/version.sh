# `dupstrip --version`: exit 0, first stdout line "dupstrip X.Y.Z", then anything (git rev,
# dependency versions); nothing on stderr.
"$DUPSTRIP" --version
