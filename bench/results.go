package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

type cell struct {
	med, lo, hi time.Duration
	ratio       float64 // to the limit, rep by rep (samples.over)
}

func (c cell) String() string {
	return fmt.Sprintf("%s ms [%s–%s] ×%.2f", ms(c.med), ms(c.lo), ms(c.hi), c.ratio)
}

type results struct {
	header string
	// single[variant][fs]
	singleCells map[string]map[string]cell
	// batch[N/dirs][variant][fs]
	batchCells map[string]map[string]map[string]cell
	// steps[N][variant][fs]
	stepCells map[string]map[string]map[string]cell
	// inTurnCells[single or N/dirs][fs]: see inTurn
	inTurnCells map[string]map[string][3]quartiles
	streamRows  []string
	readRows    []string
	opRows      []string
	cpuRows     []string
}

var fsOrder = []string{"ext4", "xfs", "btrfs", "tmpfs"}

const singleOps = 10 // writes per rep and variant; a figure is per write

// singleReps is the reps of the single write and of its CPU cost: the
// targets are a few per cent, and a median of 9 blocks of ten writes
// moves by 5 % between runs.
func singleReps() int { return 7 * *reps }

// The variants that inTurn measures beside the limit.
const (
	singleLib, singleCalls = "atomicwrite", "bare + atomicwrite's extra calls"
	batchLib, batchCalls   = "atomicwrite txn", "staged + atomicwrite's extra calls"
)

func (r *results) single(fs filesystem) error {
	data := bytes.Repeat([]byte("x"), 4096)
	dir := filepath.Join(fs.dir, "single")
	os.MkdirAll(dir, 0o755)
	s, err := interleave(singleReps(), len(singles), func(v int) (time.Duration, error) {
		path := filepath.Join(dir, fmt.Sprint(v))
		os.WriteFile(path, data, 0o644)
		if err := settle(fs.dir); err != nil {
			return 0, err
		}
		start := time.Now()
		for range singleOps {
			if err := singles[v].write(path, data); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / singleOps, nil
	})
	if err != nil {
		return err
	}
	if r.singleCells == nil {
		r.singleCells = map[string]map[string]cell{}
	}
	for v, sm := range s {
		lo, hi := sm.spread()
		if r.singleCells[singles[v].name] == nil {
			r.singleCells[singles[v].name] = map[string]cell{}
		}
		r.singleCells[singles[v].name][fs.name] = cell{sm.median(), lo, hi, sm.over(s[0])}
	}
	return r.singlesInTurn(fs, dir, data)
}

// inTurnRounds is the rounds of a single write's or a batch of n's
// measure in turn: about half a minute each on a disk.
func inTurnRounds(n int) int {
	switch {
	case n == 1:
		return 3000
	case n <= 10:
		return 400
	case n <= 100:
		return 150
	}
	return 30
}

// inTurn runs the limit, atomicwrite and the same calls made inline once
// each, in a fresh random order each round, and files under key their
// ratios round by round: atomicwrite over the limit, the calls over the
// limit, atomicwrite over the calls. The targets are a few per cent, and
// runs made moments apart share the machine's state, where blocks of runs
// among the other variants pay for what the peers that skip a flush leave
// to the next one. Every settleEvery runs, the filesystem is settled,
// untimed: on btrfs, thousands of single writes in a row pin freed
// metadata until a transaction commits, and a metadata chunk full of it
// aborted the transaction with ENOSPC (Linux 6.18).
func (r *results) inTurn(key string, fs filesystem, rounds, settleEvery int, run [3]func() error) error {
	runs := 0
	s, err := interleave(rounds, len(run), func(i int) (time.Duration, error) {
		if runs%settleEvery == 0 {
			if err := settle(fs.dir); err != nil {
				return 0, err
			}
		}
		runs++
		start := time.Now()
		err := run[i]()
		return time.Since(start), err
	})
	if err != nil {
		return err
	}
	if r.inTurnCells == nil {
		r.inTurnCells = map[string]map[string][3]quartiles{}
	}
	if r.inTurnCells[key] == nil {
		r.inTurnCells[key] = map[string][3]quartiles{}
	}
	r.inTurnCells[key][fs.name] = [3]quartiles{s[1].ratios(s[0]), s[2].ratios(s[0]), s[1].ratios(s[2])}
	return nil
}

// singlesInTurn measures the single write in turn (see inTurn), each
// variant on a file of its own in dir.
func (r *results) singlesInTurn(fs filesystem, dir string, data []byte) error {
	var run [3]func() error
	for i, name := range []string{singles[0].name, singleLib, singleCalls} {
		v := slices.IndexFunc(singles, func(v single) bool { return v.name == name })
		path := filepath.Join(dir, fmt.Sprint("in-turn-", v))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		run[i] = func() error { return singles[v].write(path, data) }
	}
	return r.inTurn("single", fs, inTurnRounds(1), 100*len(run), run) // every hundred rounds
}

// batchesInTurn measures a batch in turn (see inTurn) on paths, settled
// before each run as measureBatches does.
func (r *results) batchesInTurn(key string, fs filesystem, paths []string, data []byte) error {
	var run [3]func() error
	for i, name := range []string{batches[0].name, batchLib, batchCalls} {
		v := slices.IndexFunc(batches, func(v batch) bool { return v.name == name })
		run[i] = func() error { return batches[v].write(paths, data) }
	}
	return r.inTurn(key, fs, inTurnRounds(len(paths)), 1, run)
}

func batchSizes() []int {
	if *quick {
		return []int{10, 100}
	}
	return []int{10, 100, 1000}
}

func (r *results) batches(fs filesystem) error {
	data := bytes.Repeat([]byte("x"), 4096)
	if r.batchCells == nil {
		r.batchCells = map[string]map[string]map[string]cell{}
	}
	for _, n := range batchSizes() {
		for _, ndirs := range []int{1, 4} {
			root := filepath.Join(fs.dir, fmt.Sprintf("batch-%d-%d", n, ndirs))
			paths, err := batchPaths(root, n, ndirs)
			if err != nil {
				return err
			}
			for _, p := range paths {
				os.WriteFile(p, data, 0o644)
			}
			key := fmt.Sprintf("%d/%d", n, ndirs)
			err = measureBatches(r.batchCells, key, fs, batches, paths, data)
			if err == nil {
				err = r.batchesInTurn(key, fs, paths, data)
			}
			os.RemoveAll(root)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// batchReps is the reps of a batch of n: a batch of 10 is short enough
// (0.3 ms on tmpfs) that the machine's noise moves a median of 9 by 5 %,
// and gets three times the reps.
func batchReps(n int) int {
	if n <= 10 {
		return 3 * *reps
	}
	return *reps
}

// measureBatches runs the variants on paths, interleaved, and files each
// one's cell under cells[key][variant][fs], as a ratio to the first's.
func measureBatches(cells map[string]map[string]map[string]cell, key string, fs filesystem, variants []batch, paths []string, data []byte) error {
	n := len(paths)
	s, err := interleave(batchReps(n), len(variants), func(v int) (time.Duration, error) {
		if err := settle(fs.dir); err != nil {
			return 0, err
		}
		// Small batches run several times in a row, at least 200 files'
		// worth and 50 ms, so that one scheduling hiccup does not make a
		// figure (a batch of 10 on tmpfs takes 0.3 ms).
		ops := 0
		start := time.Now()
		for ops < max(1, 200/n) || time.Since(start) < 50*time.Millisecond {
			if err := variants[v].write(paths, data); err != nil {
				return 0, err
			}
			ops++
		}
		return time.Since(start) / time.Duration(ops), nil
	})
	if err != nil {
		return err
	}
	if cells[key] == nil {
		cells[key] = map[string]map[string]cell{}
	}
	for v, sm := range s {
		lo, hi := sm.spread()
		m := cells[key][variants[v].name]
		if m == nil {
			m = map[string]cell{}
			cells[key][variants[v].name] = m
		}
		m[fs.name] = cell{sm.median(), lo, hi, sm.over(s[0])}
	}
	return nil
}

// gen yields size bytes from a fixed random buffer, as fast as memory.
type gen struct {
	buf  []byte
	left int64
}

func newGen(size int64) *gen {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(rand.Uint32())
	}
	return &gen{buf, size}
}

func (g *gen) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf[:min(int64(len(g.buf)), g.left)])
	g.left -= int64(n)
	return n, nil
}

const streamSize = 1 << 30

func (r *results) stream(fs filesystem, cli string) error {
	path := filepath.Join(fs.dir, "stream")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		return err
	}
	const (
		truncate = iota
		bareReplace
		writeFrom
		cliPipe
		catPipe
		cliFile
		cliCheck
		sumThenCLI
	)
	variants := []string{
		truncate:    "truncate-and-rewrite (limit)",
		bareReplace: "bare replace (temp, write, fsync, rename, fsync dir)",
		writeFrom:   "atomicwrite WriteFrom",
		cliPipe:     "atomicwrite CLI (stdin pipe)",
		catPipe:     "cat > f && sync f (truncate-and-rewrite through the same pipe)",
		cliFile:     "atomicwrite CLI (stdin redirected from a file)",
		cliCheck:    "atomicwrite CLI -c SUM (the 1 GiB target's SHA-256 checked, stdin from the file)",
		sumThenCLI:  "sha256sum of the target, then the CLI (stdin from the file)",
	}
	// The file the CLI reads where its standard input is redirected, as
	// `atomicwrite PATH < FILE` would; in the page cache, so that reading
	// it costs no I/O.
	input := filepath.Join(filepath.Dir(cli), "stream-input")
	if _, err := os.Stat(input); err != nil {
		f, err := os.Create(input)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, newGen(streamSize))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	s, err := interleave(max(11, *reps), len(variants), func(v int) (time.Duration, error) {
		var sum string
		if v == cliCheck {
			var err error
			if sum, err = sha256File(path); err != nil {
				return 0, err
			}
		}
		if err := settle(fs.dir); err != nil {
			return 0, err
		}
		start := time.Now()
		switch v {
		case truncate, bareReplace:
			target := path
			if v == bareReplace {
				target = path + ".tmp"
			}
			flags := os.O_WRONLY | os.O_TRUNC
			if v == bareReplace {
				flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
			}
			f, err := os.OpenFile(target, flags, 0o644)
			if err != nil {
				return 0, err
			}
			if _, err := io.Copy(f, newGen(streamSize)); err != nil {
				return 0, err
			}
			if err := f.Sync(); err != nil {
				return 0, err
			}
			f.Close()
			if v == bareReplace {
				if err := os.Rename(target, path); err != nil {
					return 0, err
				}
				if err := syncDir(fs.dir); err != nil {
					return 0, err
				}
			}
		case writeFrom:
			if err := atomicWriteFrom(path, newGen(streamSize)); err != nil {
				return 0, err
			}
		case cliFile, cliCheck, sumThenCLI:
			if v == sumThenCLI {
				if out, err := exec.Command("sha256sum", path).CombinedOutput(); err != nil {
					return 0, fmt.Errorf("sha256sum: %v: %s", err, out)
				}
			}
			in, err := os.Open(input)
			if err != nil {
				return 0, err
			}
			cmd := exec.Command(cli, path)
			if v == cliCheck {
				cmd = exec.Command(cli, "-c", sum, path)
			}
			cmd.Stdin = in
			err = cmd.Run()
			in.Close()
			if err != nil {
				return 0, fmt.Errorf("%s: %v", variants[v], err)
			}
		case cliPipe, catPipe:
			// As a shell pipeline would feed it: a producer writing large
			// chunks into the pipe.
			cmd := exec.Command(cli, path)
			if v == catPipe {
				cmd = exec.Command("sh", "-c", `cat > "$1" && sync "$1"`, "sh", path)
			}
			in, err := cmd.StdinPipe()
			if err != nil {
				return 0, err
			}
			if err := cmd.Start(); err != nil {
				return 0, err
			}
			_, werr := io.CopyBuffer(in, struct{ io.Reader }{newGen(streamSize)}, make([]byte, 1<<20))
			in.Close()
			if err := cmd.Wait(); err != nil || werr != nil {
				return 0, fmt.Errorf("%s: %v %v", variants[v], err, werr)
			}
		}
		return time.Since(start), nil
	})
	if err != nil {
		return err
	}
	limit := s[truncate].median()
	best, _ := s[truncate].spread()
	for v, sm := range s {
		lo, hi := sm.spread()
		mbps := float64(streamSize) / sm.median().Seconds() / 1e6
		ratio := fmt.Sprintf("×%.2f (best run ×%.2f)", float64(limit)/float64(sm.median()), float64(best)/float64(lo))
		switch v {
		case writeFrom:
			ratio += fmt.Sprintf("; ×%.2f of the bare replace", float64(s[bareReplace].median())/float64(sm.median()))
		case cliPipe:
			ratio += fmt.Sprintf("; ×%.2f of cat through the same pipe", float64(s[catPipe].median())/float64(sm.median()))
		case cliFile:
			ratio += fmt.Sprintf("; ×%.2f of WriteFrom", float64(s[writeFrom].median())/float64(sm.median()))
		case cliCheck:
			ratio += fmt.Sprintf("; its time ×%.2f of sha256sum's and then the CLI's", float64(sm.median())/float64(s[sumThenCLI].median()))
		}
		r.streamRows = append(r.streamRows, fmt.Sprintf("| %s | %s | %.0f MB/s [%.0f–%.0f] | %s |", fs.name, variants[v], mbps,
			float64(streamSize)/hi.Seconds()/1e6, float64(streamSize)/lo.Seconds()/1e6, ratio))
	}
	// The CLI's peak memory, in runs of its own: through a pipe, and with
	// -c (the sum of what the first run wrote) from the file.
	pipeRSS, err := peakRSS(cli, []string{path}, struct{ io.Reader }{newGen(streamSize)})
	if err != nil {
		return fmt.Errorf("CLI through a pipe: %v", err)
	}
	sum, err := sha256File(path)
	if err != nil {
		return err
	}
	in, err := os.Open(input)
	if err != nil {
		return err
	}
	defer in.Close()
	checkRSS, err := peakRSS(cli, []string{"-c", sum, path}, in)
	if err != nil {
		return fmt.Errorf("CLI -c: %v", err)
	}
	r.streamRows = append(r.streamRows,
		fmt.Sprintf("| %s | CLI peak RSS (stdin pipe) | %s | |", fs.name, pipeRSS),
		fmt.Sprintf("| %s | CLI -c SUM peak RSS (stdin from the file) | %s | |", fs.name, checkRSS))
	return nil
}

// cpu measures the CPU cost of a write on tmpfs, where no disk flush hides
// it: time and allocations per write, and system calls per write.
func (r *results) cpu(fs filesystem) error {
	data := bytes.Repeat([]byte("x"), 4096)
	dir := filepath.Join(fs.dir, "cpu")
	os.MkdirAll(dir, 0o755)
	const ops = 1000
	var allocs []float64
	for v := range singles {
		path := filepath.Join(dir, fmt.Sprint(v))
		os.WriteFile(path, data, 0o644)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for range ops {
			singles[v].write(path, data)
		}
		runtime.ReadMemStats(&m1)
		allocs = append(allocs, float64(m1.Mallocs-m0.Mallocs)/ops)
	}
	s, err := interleave(singleReps(), len(singles), func(v int) (time.Duration, error) {
		path := filepath.Join(dir, fmt.Sprint(v))
		start := time.Now()
		for range ops {
			if err := singles[v].write(path, data); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / ops, nil
	})
	if err != nil {
		return err
	}
	for v, sm := range s {
		r.cpuRows = append(r.cpuRows, fmt.Sprintf("| %s | %s µs | ×%.2f | %.1f | %s |",
			singles[v].name, us(sm.median()), sm.over(s[0]), allocs[v], syscallsPerWrite(v, dir)))
	}
	// A transaction's cost per entry, next to a single write's.
	paths, err := batchPaths(filepath.Join(dir, "txn"), 100, 1)
	if err != nil {
		return err
	}
	for _, p := range paths {
		os.WriteFile(p, data, 0o644)
	}
	ts, err := interleave(*reps, 2, func(v int) (time.Duration, error) {
		start := time.Now()
		if v == 0 {
			for _, p := range paths {
				if err := singles[1].write(p, data); err != nil {
					return 0, err
				}
			}
		} else if err := batches[1].write(paths, data); err != nil {
			return 0, err
		}
		return time.Since(start) / 100, nil
	})
	if err != nil {
		return err
	}
	r.cpuRows = append(r.cpuRows, fmt.Sprintf("| atomicwrite txn, per entry (N=100) | %s µs | ×%.2f of an atomicwrite single write (%s µs) | | |",
		us(ts[1].median()), ts[1].over(ts[0]), us(ts[0].median())))
	return nil
}

// syscallsPerWrite counts, with strace, the system calls of 200 writes of
// variant v in a child process, less those of a child that writes nothing.
func syscallsPerWrite(v int, dir string) string {
	if _, err := exec.LookPath("strace"); err != nil {
		return "(no strace)"
	}
	count := func(n int) (int, error) {
		out := filepath.Join(dir, "strace.out")
		exe, _ := os.Executable()
		cmd := exec.Command("strace", "-f", "-c", "-U", "calls,name", "-o", out, exe, "-child", fmt.Sprint(v), filepath.Join(dir, "sc"), fmt.Sprint(n))
		if b, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("%v: %s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) == 2 && f[1] == "total" {
				var calls int
				fmt.Sscan(f[0], &calls)
				return calls, nil
			}
		}
		return 0, fmt.Errorf("no total in %s", b)
	}
	base, err := count(0)
	if err != nil {
		return err.Error()
	}
	with, err := count(200)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%.1f", float64(with-base)/200)
}

func child(op string, args []string) int {
	var v, n int
	fmt.Sscan(op, &v)
	fmt.Sscan(args[1], &n)
	data := bytes.Repeat([]byte("x"), 4096)
	for range n {
		if err := singles[v].write(args[0], data); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func (r *results) markdown() string {
	var b strings.Builder
	b.WriteString(r.header + "\n\n")
	b.WriteString("### One durable 4 KiB write (per write)\n\n| variant | " + strings.Join(fsOrder, " | ") + " |\n|---|---|---|---|---|\n")
	for _, sv := range singles {
		b.WriteString("| " + sv.name)
		for _, fs := range fsOrder {
			b.WriteString(" | " + cellText(r.singleCells[sv.name], fs))
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\n### Transactions of N files of 4 KiB (per batch)\n\n")
	var keys []string
	for _, n := range batchSizes() {
		keys = append(keys, fmt.Sprintf("%d/1", n), fmt.Sprintf("%d/4", n))
	}
	batchTable(&b, "N / directories", keys, batches, r.batchCells)
	if len(r.inTurnCells) > 0 {
		b.WriteString("\n### The limit, atomicwrite and its calls made inline, one of each in turn\n\n" +
			"A single write (\"" + singleCalls + "\") and transactions (\"" + batchCalls + "\"), " +
			"each variant run once a round in a fresh random order, settled before each batch and every hundred rounds of single writes: " +
			"the median and the quartiles of the ratios of the runs of one round.\n\n" +
			"| write (rounds) | ratio | " + strings.Join(fsOrder, " | ") + " |\n|---|---|---|---|---|---|\n")
		for _, key := range append([]string{"single"}, keys...) {
			write := fmt.Sprintf("transaction of N / directories %s (%d)", key, inTurnRounds(batchN(key)))
			if key == "single" {
				write = fmt.Sprintf("single 4 KiB write (%d)", inTurnRounds(1))
			}
			for i, ratio := range []string{"atomicwrite over the limit", "its calls inline over the limit", "atomicwrite over its calls inline"} {
				b.WriteString("| " + write + " | " + ratio)
				for _, fs := range fsOrder {
					q, ok := r.inTurnCells[key][fs]
					if !ok {
						b.WriteString(" | –")
						continue
					}
					b.WriteString(" | " + q[i].String())
				}
				b.WriteString(" |\n")
			}
		}
	}
	if len(r.stepCells) > 0 {
		b.WriteString("\n### A transaction's calls, one at a time (N files of 4 KiB in one directory, per batch)\n\n")
		var keys []string
		for _, n := range stepSizes() {
			keys = append(keys, fmt.Sprint(n))
		}
		batchTable(&b, "N", keys, stepVariants(), r.stepCells)
	}
	if len(r.streamRows) > 0 {
		b.WriteString("\n### Streaming 1 GiB\n\n| filesystem | variant | throughput, median [min–max] | to truncate-and-rewrite's throughput |\n|---|---|---|---|\n")
		b.WriteString(strings.Join(r.streamRows, "\n") + "\n")
	}
	if len(r.readRows) > 0 {
		b.WriteString("\n### Consistent reads: a pair of 2 KiB files in two directories, or in one where the variant says so (per commit, per read)\n\n| filesystem | variant | median [min–max] | to the first of its kind |\n|---|---|---|---|\n")
		b.WriteString(strings.Join(r.readRows, "\n") + "\n")
	}
	if len(r.opRows) > 0 {
		b.WriteString("\n### Other operations on one 4 KiB file (per operation)\n\n| filesystem | operation: variant | median [min–max] | to the limit |\n|---|---|---|---|\n")
		b.WriteString(strings.Join(r.opRows, "\n") + "\n")
	}
	if len(r.cpuRows) > 0 {
		b.WriteString("\n### CPU cost on tmpfs (no disk flush to hide it)\n\n| variant | time per write | ratio to the limit | allocations per write | system calls per write |\n|---|---|---|---|---|\n")
		b.WriteString(strings.Join(r.cpuRows, "\n") + "\n")
	}
	return b.String()
}

// batchTable writes a table of cells[key][variant][fs], a row per key and
// variant.
func batchTable(b *strings.Builder, keyName string, keys []string, variants []batch, cells map[string]map[string]map[string]cell) {
	b.WriteString("| " + keyName + " | variant | " + strings.Join(fsOrder, " | ") + " |\n|---|---|---|---|---|---|\n")
	for _, key := range keys {
		for _, bv := range variants {
			b.WriteString(fmt.Sprintf("| %s | %s", key, bv.name))
			for _, fs := range fsOrder {
				b.WriteString(" | " + cellText(cells[key][bv.name], fs))
			}
			b.WriteString(" |\n")
		}
	}
}

func cellText(m map[string]cell, fs string) string {
	c, ok := m[fs]
	if !ok {
		return "–"
	}
	return c.String()
}

// sha256File returns the SHA-256 of the file at path, as sha256sum prints
// it.
func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// peakRSS runs cli with args under GNU time, which reports the largest
// resident set the CLI had. The rusage of a child that os/exec reports
// cannot serve: the child is forked sharing the bench's memory, and its
// peak counts what the bench had then (a 100 MiB process measured
// /bin/true at 103 MiB).
func peakRSS(cli string, args []string, stdin io.Reader) (string, error) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return "(no GNU time: apt-get install time)", nil
	}
	out, err := os.CreateTemp("", "rss-")
	if err != nil {
		return "", err
	}
	out.Close()
	defer os.Remove(out.Name())
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", out.Name(), cli}, args...)...)
	cmd.Stdin = stdin
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, b)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return "", err
	}
	var kib int64
	if _, err := fmt.Sscan(string(b), &kib); err != nil {
		return "", fmt.Errorf("GNU time printed %q", b)
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024), nil
}

// batchN is the N of a batch key "N/dirs".
func batchN(key string) int {
	var n int
	fmt.Sscanf(key, "%d/", &n)
	return n
}
