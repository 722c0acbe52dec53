package exporters

// MaxLineBytes is the longest line the file exporters write, and so the longest line the
// command line's readers of their files accept: 64 MiB.
const MaxLineBytes = 64 << 20
