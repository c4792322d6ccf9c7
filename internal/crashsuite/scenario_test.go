//go:build linux && amd64

package crashsuite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/internal/tracer"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A scenario is one write through the CLI: a single file; a transaction
// of 3 files in 2 directories, 2 of them existing; the same with one of
// the existing files removed (-r); 2 files created only if absent (-n);
// 2 files written only if unchanged (-c, compare-and-swap); and 2 new
// files, one in 2 directories the write makes (-p). The same transaction
// is also written by a writer that keeps its marks between Commits
// (txn.Marks): its second Commit, with the marks its first kept, is the
// write (see testdata/keptwriter).
type scenario struct {
	name    string
	flags   []string // the CLI's flags, before its PATHs
	targets []scenarioTarget
	check   bool   // -c with the SHA-256 of each target's previous content
	bin     string // the CLI that runs it, if not suite.bin (see personality_test.go)
	kept    bool   // written by keptwriter, not the CLI
}

// binary is the CLI that runs the scenario, and recovers after it.
func (sc scenario) binary() string {
	if sc.bin != "" {
		return sc.bin
	}
	return suite.bin
}

// writer is the program that writes the scenario.
func (sc scenario) writer() string {
	if sc.kept {
		return suite.keptBin
	}
	return sc.binary()
}

type scenarioTarget struct {
	rel     string // below the scenario's work directory
	existed bool   // it exists before the write
	removed bool   // the write removes it (-r) instead of writing it
}

var scenarios = []scenario{
	{"single", nil, []scenarioTarget{{"A/x", true, false}}, false, "", false},
	{"txn", nil, []scenarioTarget{{"A/x", true, false}, {"A/y", false, false}, {"B/z", true, false}}, false, "", false},
	{"txn-remove", nil, []scenarioTarget{{"A/x", true, false}, {"A/y", false, false}, {"B/z", true, true}}, false, "", false},
	{"create-only", []string{"-n"}, []scenarioTarget{{"A/x", false, false}, {"B/z", false, false}}, false, "", false},
	{"compare-and-swap", nil, []scenarioTarget{{"A/x", true, false}, {"B/z", true, false}}, true, "", false},
	{"new-directories", []string{"-p"}, []scenarioTarget{{"C/D/x", false, false}, {"A/y", false, false}}, false, "", false},
	{"txn-kept-marks", nil, []scenarioTarget{{"A/x", true, false}, {"A/y", false, false}, {"B/z", true, false}}, false, "", true},
}

// repeatable reports whether the scenario can run again on its own result:
// a removed file or a create-only one cannot be written twice.
func (sc scenario) repeatable() bool {
	return len(sc.flags) == 0 && !sc.check && !slices.ContainsFunc(sc.targets, func(tg scenarioTarget) bool { return tg.removed })
}

// forEachCase runs check on every filesystem and scenario, as subtests.
func forEachCase(t *testing.T, check func(*testing.T, *filesystem, scenario)) {
	requireSuite(t)
	for _, fs := range suite.fss {
		for _, sc := range scenarios {
			t.Run(fs.name+"/"+sc.name, func(t *testing.T) { check(t, fs, sc) })
		}
	}
}

// content is what target i holds in generation gen: each generation's
// payload is distinct and checksummed, so that old, new, torn, empty and
// a mix of two can all be told apart.
func content(i, gen int) []byte { return testenv.Payload(i, gen) }

// setUp lays the scenario's starting state in work: generation gen of the
// existing targets, none of the others, nothing else; and makes it durable.
func (sc scenario) setUp(t *testing.T, work string, gen int) {
	t.Helper()
	os.RemoveAll(work)
	for _, d := range []string{"A", "B"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Consistent reads are enabled in A and B, so that batches mark them
	// (the directories a write makes get them from the first read).
	if err := txn.EnableReads(context.Background(), filepath.Join(work, "A"), filepath.Join(work, "B")); err != nil {
		t.Fatal(err)
	}
	for i, tg := range sc.targets {
		if tg.existed {
			if err := os.WriteFile(filepath.Join(work, tg.rel), content(i, gen), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := syncFS(work); err != nil {
		t.Fatal(err)
	}
}

// command returns the CLI invocation that writes generation gen.
func (sc scenario) command(t *testing.T, work string, gen int) *exec.Cmd {
	t.Helper()
	var input []byte
	args := slices.Clone(sc.flags)
	var paths []string
	for i, tg := range sc.targets {
		if tg.removed {
			args = append(args, "-r", filepath.Join(work, tg.rel))
			continue
		}
		if len(paths) > 0 {
			input = append(input, 0)
		}
		input = append(input, content(i, gen)...)
		paths = append(paths, filepath.Join(work, tg.rel))
	}
	if sc.check {
		var sums []string
		for i := range paths {
			sum := sha256.Sum256(content(i, gen-1))
			sums = append(sums, hex.EncodeToString(sum[:]))
		}
		args = append(args, "-c", strings.Join(sums, ","))
	}
	args = append(args, paths...)
	// Standard input is a regular file, outside the scope: its reads are
	// then the same in every run, and never counted as steps.
	in, err := os.CreateTemp(workRoot, "stdin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); os.Remove(in.Name()) })
	in.Write(input)
	in.Seek(0, 0)
	cmd := exec.Command(sc.writer(), args...)
	cmd.Stdin = in
	return cmd
}

// traced runs the CLI writing generation gen under the tracer.
func (sc scenario) traced(t *testing.T, work string, gen int, plan tracer.Plan) (tracer.Result, string) {
	t.Helper()
	if !sc.killsAtMarks() {
		only := plan.Only
		plan.Only = func(c tracer.Call) bool {
			return !strings.Contains(c.Path, "/.aw-commits") && (only == nil || only(c))
		}
	}
	if sc.kept {
		// The first Commit's calls are not counted: the contents it
		// writes back as they are leave the set all old wherever it is
		// killed, and the txn scenario has the same calls. The writer
		// says when the second begins (see testdata/keptwriter).
		only, second := plan.Only, false
		plan.Only = func(c tracer.Call) bool {
			if !second {
				second = strings.HasSuffix(c.Path, "/.keptwriter-second-commit")
				return false
			}
			return only == nil || only(c)
		}
	}
	return traceIn(t, sc.command(t, work, gen), work, plan)
}

// killsAtMarks reports whether the scenario's writer is killed (and made
// to fail) at the calls of its commit marks too (see docs/protocol.md, "What
// a reader sees during a Commit"). Every batch marks its directories with
// the same code, before its commit point and after its renames, whatever
// its entries: the transaction runs that code at every call, and so do new
// directories; the other batch scenarios count only their own calls, to
// keep CI within its time.
func (sc scenario) killsAtMarks() bool {
	name, _, _ := strings.Cut(sc.name, " ")
	return name == "txn" || name == "new-directories" || sc.kept
}

// traceIn runs cmd under the tracer, counting the calls below work, and
// returns what it did and printed on stderr.
func traceIn(t *testing.T, cmd *exec.Cmd, work string, plan tracer.Plan) (tracer.Result, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	plan.Scope = work + "/"
	res, err := tracer.Run(cmd, plan)
	if err != nil {
		t.Fatal(err)
	}
	return res, stderr.String()
}

// A state is what a scenario's targets hold at some instant.
type state struct {
	each      []string // per target: "old", "new", "absent", "removed", or a violation
	leftovers []string // files in A or B that are no target
	// What a consistent read of the targets (txn.ReadSet) returns: the
	// set it reads, as set() names it, or readerNeedsRecovery, or what
	// went wrong.
	reader string
}

const readerNeedsRecovery = "needs recovery"

// look reads the state of the scenario in work, where each target may hold
// generation old or new (or, if it did not exist, nothing): each target on
// its own, then all through a consistent read; and through kept too, if
// not nil (a Reader that holds the directories from a read before the
// writer ran), which must read what ReadSet reads.
func (sc scenario) look(work string, old, new int, existedBefore []bool, kept *txn.Reader) state {
	var st state
	var paths []string
	for i, tg := range sc.targets {
		paths = append(paths, filepath.Join(work, tg.rel))
		b, err := os.ReadFile(paths[i])
		st.each = append(st.each, sc.classify(i, b, err, old, new, existedBefore))
	}
	st.reader = sc.readSet(txn.ReadSet, paths, old, new, existedBefore)
	if kept != nil {
		if got := sc.readSet(kept.ReadSet, paths, old, new, existedBefore); got != st.reader {
			st.reader = fmt.Sprintf("KEPT READER SAW %s, where ReadSet saw %s", got, st.reader)
		}
	}
	// Anything else below work is left over: the directories a write made
	// count as its own only while a target is in them.
	names := map[string]bool{"A": true, "B": true}
	for _, tg := range sc.targets {
		if _, err := os.Lstat(filepath.Join(work, tg.rel)); err == nil {
			for p := tg.rel; p != "."; p = filepath.Dir(p) {
				names[p] = true
			}
		}
	}
	// So do the marks directory of enabled consistent reads, the file that
	// says so and its idle marks: a mark left in it is left over, an idle
	// file with a mark's mode (0744, or more) too.
	filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(work, path)
		enabled := d != nil && d.IsDir() && d.Name() == ".aw-commits" && exists(filepath.Join(path, "enabled")) ||
			d != nil && (d.Name() == "enabled" || strings.HasPrefix(d.Name(), "idle-") && idle(path)) && filepath.Base(filepath.Dir(path)) == ".aw-commits"
		if err == nil && rel != "." && !names[rel] && !enabled {
			st.leftovers = append(st.leftovers, rel)
		}
		return nil
	})
	return st
}

// readSet reads the targets at paths through read (txn.ReadSet, or a
// Reader's), and returns what it read as set() names it, or
// readerNeedsRecovery, or what went wrong.
func (sc scenario) readSet(read func(...string) ([]txn.File, error), paths []string, old, new int, existedBefore []bool) string {
	files, err := read(paths...)
	switch {
	case errors.Is(err, txn.ErrNeedsRecovery):
		return readerNeedsRecovery
	case err != nil:
		return "READER FAILED: " + err.Error()
	}
	var got state
	for i, f := range files {
		var err error
		if !f.Exists {
			err = fs.ErrNotExist
		}
		got.each = append(got.each, sc.classify(i, f.Data, err, old, new, existedBefore))
	}
	if v := got.violations(); len(v) > 0 {
		return "READER SAW " + strings.Join(v, "; ")
	}
	return got.set()
}

// idle reports whether the idle mark file path has the mode of one: no
// batch's mark.
func idle(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode() == 0o644
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// classify names what target i holds: b, read with err.
func (sc scenario) classify(i int, b []byte, err error, old, new int, existedBefore []bool) string {
	switch {
	case errors.Is(err, fs.ErrNotExist) && sc.targets[i].removed:
		return "removed"
	case errors.Is(err, fs.ErrNotExist) && !existedBefore[i]:
		return "absent"
	case errors.Is(err, fs.ErrNotExist):
		return "MISSING (existed before)"
	case err != nil:
		return "UNREADABLE: " + err.Error()
	case bytes.Equal(b, content(i, new)):
		return "new"
	case bytes.Equal(b, content(i, old)) && existedBefore[i]:
		return "old"
	case len(b) == 0:
		return "EMPTY"
	}
	return fmt.Sprintf("TORN (%d bytes)", len(b))
}

// violations lists what in st breaks the contract: a target that is not
// one whole version, or a consistent read that returns a mixed set (or
// fails but for a set that needs recovery).
func (st state) violations() []string {
	var v []string
	for i, e := range st.each {
		if e != "old" && e != "new" && e != "absent" && e != "removed" {
			v = append(v, fmt.Sprintf("target %d: %s", i, e))
		}
	}
	switch st.reader {
	case "", "all-old", "all-new", readerNeedsRecovery:
	default:
		v = append(v, "consistent read: "+st.reader)
	}
	return v
}

// set says whether the targets are all old, all new, or mixed.
func (st state) set() string {
	hasOld := slices.ContainsFunc(st.each, func(e string) bool { return e == "old" || e == "absent" })
	hasNew := slices.ContainsFunc(st.each, func(e string) bool { return e == "new" || e == "removed" })
	switch {
	case hasOld && hasNew:
		return "mixed"
	case hasNew:
		return "all-new"
	}
	return "all-old"
}

func (st state) String() string {
	s := st.set() + " [" + strings.Join(st.each, ", ") + "]"
	if len(st.leftovers) > 0 {
		s += fmt.Sprintf(", %d left over", len(st.leftovers))
	}
	return s
}

func (sc scenario) existed() []bool {
	var e []bool
	for _, tg := range sc.targets {
		e = append(e, tg.existed)
	}
	return e
}

// recoverPoints picks, of the writer's kill points that leave a journal,
// those after which TestRecoverKilled kills Recover at each of its calls.
// The transaction takes three: the first (the journal just written), the
// middle and the last. The scenarios that share its Recover take fewer, to
// keep CI within its time: new-directories the first and the last (its
// markers go after the renames), the others the middle one (in the renames,
// where their removal, create-only or compare-and-swap entry is undone or
// finished).
func (sc scenario) recoverPoints(points []int) []int {
	first, middle, last := points[0], points[len(points)/2], points[len(points)-1]
	switch sc.name {
	case "txn":
		return slices.Compact([]int{first, middle, last})
	case "new-directories":
		return slices.Compact([]int{first, last})
	}
	return []int{middle}
}

// recoverArgs are the arguments of `atomicwrite --recover` for the
// scenario: A, B, and every target's directory (which may not exist).
func (sc scenario) recoverArgs(work string) []string {
	args := []string{"--recover", filepath.Join(work, "A"), filepath.Join(work, "B")}
	for _, tg := range sc.targets {
		if d := filepath.Join(work, filepath.Dir(tg.rel)); !slices.Contains(args, d) {
			args = append(args, d)
		}
	}
	return args
}

// recoverCLI runs `atomicwrite --recover` on the scenario's directories:
// what an application does at start-up after a crash.
func recoverCLI(t *testing.T, sc scenario, work string) {
	t.Helper()
	cmd := exec.Command(sc.binary(), sc.recoverArgs(work)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("atomicwrite --recover: %v: %s", err, out)
	}
}

// recovered checks the state after recovery: never mixed, nothing left.
func (st state) recovered() []string {
	v := st.violations()
	if st.set() == "mixed" {
		v = append(v, "mixed set after recovery: "+st.String())
	}
	if len(st.leftovers) > 0 {
		v = append(v, fmt.Sprintf("left over after recovery: %q", st.leftovers))
	}
	if st.reader == readerNeedsRecovery {
		v = append(v, "consistent read after recovery: "+st.reader)
	}
	return v
}
