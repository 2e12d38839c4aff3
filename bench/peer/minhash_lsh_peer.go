// Peer benchmark for bench/e2e.sh: the Go MinHash LSH of github.com/ekzhu/minhash-lsh (Debian's
// golang-github-ekzhu-minhash-lsh-dev) on a folder of .txt files or on a JSON Lines file (each
// record's "text" field is a document), doing what dupstrip's
// bench/peer_equivalent.cpp does: lowercased words, 5-word shingles, 128-value MinHash
// signatures, an LSH index at threshold 0.8 queried with every document. One thread.
//
// Build offline (no modules, no network):
//
//	GO111MODULE=off GOPATH=$work/gopath:/usr/share/gocode go build -o $work/peer bench/peer/minhash_lsh_peer.go
//
// Usage: peer FOLDER | FILE.jsonl. Prints one line of key=value fields:
//
//	docs bytes sig_s lsh_s pairs mb_s sig_cpu_s lsh_cpu_s cpu_mb_s bands rows
//
// sig_s: reading (for JSONL, also decoding each record), tokenising, shingling and MinHash of
// every document (wall seconds); bytes: the input's bytes (the whole JSONL file); lsh_s: Add of
// every signature, Index, and one Query per document; pairs: unordered pairs of distinct
// documents returned as candidates; mb_s: bytes / (sig_s + lsh_s) in 10^6 bytes per second;
// *_cpu_s: the same phases in user+system CPU seconds of the process (getrusage).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode"

	minhashlsh "github.com/ekzhu/minhash-lsh"
)

const (
	numPerm   = 128
	shingleK  = 5
	threshold = 0.8
	seed      = 1
)

// cpuSeconds returns the user+system CPU time of the whole process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// listFiles returns the regular .txt files under root, sorted bytewise by relative path
// (the order of dupstrip::walk_folder).
func listFiles(root string) ([]string, error) {
	var rel []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".txt") {
			r, rerr := filepath.Rel(root, p)
			if rerr != nil {
				return rerr
			}
			rel = append(rel, filepath.ToSlash(r))
		}
		return nil
	})
	sort.Strings(rel)
	return rel, err
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// signature computes the MinHash of the document's 5-word shingles (each shingle is its words
// joined by one space). A document with fewer than 5 words has one shingle: all its words.
// Returns nil for a document without words.
func signature(text string, buf []byte) ([]uint64, []byte) {
	words := strings.FieldsFunc(strings.ToLower(text), notWordRune)
	if len(words) == 0 {
		return nil, buf
	}
	mh := minhashlsh.NewMinhash(seed, numPerm)
	push := func(ws []string) {
		buf = buf[:0]
		for i, w := range ws {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, w...)
		}
		mh.Push(buf)
	}
	if len(words) < shingleK {
		push(words)
	} else {
		for i := 0; i+shingleK <= len(words); i++ {
			push(words[i : i+shingleK])
		}
	}
	return mh.Signature(), buf
}

func main() {
	runtime.GOMAXPROCS(1) // single-threaded, like the reference figure and dupstrip --jobs 1
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s FOLDER | FILE.jsonl\n", os.Args[0])
		os.Exit(2)
	}
	root := os.Args[1]

	// Phase 1: signatures.
	t0, c0 := time.Now(), cpuSeconds()
	var sigs [][]uint64
	var bytes int64
	var buf []byte
	if st, serr := os.Stat(root); serr == nil && st.Mode().IsRegular() && strings.HasSuffix(root, ".jsonl") {
		f, ferr := os.Open(root)
		if ferr != nil {
			fmt.Fprintf(os.Stderr, "peer: %v\n", ferr)
			os.Exit(2)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<30)
		var rec struct {
			Text string `json:"text"`
		}
		for sc.Scan() {
			line := sc.Bytes()
			bytes += int64(len(line)) + 1
			rec.Text = ""
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				fmt.Fprintf(os.Stderr, "peer: record %d: %v\n", len(sigs)+1, jerr)
				os.Exit(1)
			}
			var sig []uint64
			sig, buf = signature(rec.Text, buf)
			sigs = append(sigs, sig)
		}
		if serr := sc.Err(); serr != nil {
			fmt.Fprintf(os.Stderr, "peer: %v\n", serr)
			os.Exit(1)
		}
		f.Close()
	} else {
		files, err := listFiles(root)
		if err != nil {
			fmt.Fprintf(os.Stderr, "peer: %v\n", err)
			os.Exit(2)
		}
		sigs = make([][]uint64, len(files))
		for i, rel := range files {
			data, rerr := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
			if rerr != nil {
				fmt.Fprintf(os.Stderr, "peer: %v\n", rerr)
				os.Exit(1)
			}
			bytes += int64(len(data))
			sigs[i], buf = signature(string(data), buf)
		}
	}
	t1, c1 := time.Now(), cpuSeconds()

	// Phase 2: LSH index at the threshold, then one query per document.
	lsh := minhashlsh.NewMinhashLSH(numPerm, threshold)
	for i, s := range sigs {
		if s != nil {
			lsh.Add(i, s)
		}
	}
	lsh.Index()
	var pairs int64
	for i, s := range sigs {
		if s == nil {
			continue
		}
		for _, key := range lsh.Query(s) {
			if j := key.(int); j > i {
				pairs++
			}
		}
	}
	t2, c2 := time.Now(), cpuSeconds()

	sigS, lshS := t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds()
	sigC, lshC := c1-c0, c2-c1
	rate := func(s float64) float64 {
		if s <= 0 {
			return 0
		}
		return float64(bytes) / 1e6 / s
	}
	rows, bands := lsh.Params()
	fmt.Printf("docs=%d bytes=%d sig_s=%.3f lsh_s=%.3f pairs=%d mb_s=%.2f sig_cpu_s=%.3f lsh_cpu_s=%.3f cpu_mb_s=%.2f bands=%d rows=%d\n",
		len(sigs), bytes, sigS, lshS, pairs, rate(sigS+lshS), sigC, lshC, rate(sigC+lshC), bands, rows)
}
