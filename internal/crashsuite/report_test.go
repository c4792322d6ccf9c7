//go:build linux && amd64

package crashsuite

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A row is one line of the summary table.
type row struct {
	fs, scenario, mode    string
	states, violations    int
	leftoverStates        int // states in which temp files were left behind
	allOld, allNew, mixed int
	readerWaits           int // states in which the consistent read said "needs recovery"
	// after Recover
	recMixed, recLeftovers int
	notes                  string
}

type report struct {
	mu      sync.Mutex
	rows    []row
	details []string // per-step tables
}

func newReport() *report { return &report{} }

func (r *report) add(x row) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, x)
}

func (r *report) detail(title string, lines []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.details = append(r.details, "### "+title+"\n\n"+strings.Join(lines, "\n")+"\n")
}

// write prints the table to the file named by ATOMICWRITE_CRASH_REPORT
// (default: atomicwrite-crash-report.md in the temp directory).
func (r *report) write() error {
	path := os.Getenv("ATOMICWRITE_CRASH_REPORT")
	if path == "" {
		path = filepath.Join(os.TempDir(), "atomicwrite-crash-report.md")
	}
	var uts unix.Utsname
	unix.Uname(&uts)
	var b strings.Builder
	b.WriteString("# Crash suite results\n\n" +
		"Written by the crash suite (internal/crashsuite) in a CI run;\n" +
		"crash-testing.md says how the suite works and what these tables prove.\n" +
		"Temp names show their random part as RANDOM.\n\n")
	summary := b.Len()
	fmt.Fprintf(&b, "Crash suite run of %s on Linux %s (%s), %s.\n\n",
		time.Now().UTC().Format("2006-01-02"), unix.ByteSliceToString(uts.Release[:]), runtime.GOARCH, runtime.Version())
	b.WriteString("| filesystem | scenario | mode | states | violations | states with leftovers | all-old | all-new | mixed | read: needs recovery | after Recover: mixed | after Recover: leftovers | notes |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	rows := slices.Clone(r.rows)
	slices.SortStableFunc(rows, func(a, b row) int {
		return strings.Compare(a.mode+a.fs+a.scenario, b.mode+b.fs+b.scenario)
	})
	for _, x := range rows {
		rec := func(n int) string {
			if x.mode == "contract tests" || strings.HasPrefix(x.mode, "errno") {
				return "–"
			}
			return fmt.Sprint(n)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n",
			x.fs, x.scenario, x.mode, x.states, x.violations, x.leftoverStates, x.allOld, x.allNew, x.mixed, x.readerWaits,
			rec(x.recMixed), rec(x.recLeftovers), x.notes)
	}
	b.WriteString("\n")
	tables := b.Len()
	for _, d := range r.details {
		b.WriteString(d + "\n")
	}
	if err := os.WriteFile(path, []byte(randomPart.ReplaceAllString(b.String(), ".RANDOM.aw-")), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "crash suite report: %s\n%s", path, b.String()[summary:tables])
	return nil
}

// randomPart is the random part of a temp's or backup's name, which the
// report hides so that two runs' tables compare.
var randomPart = regexp.MustCompile(`\.[0-9a-f]{16}\.aw-`)

// tallyRecovered adds the state after Recover to a row.
func (x *row) tallyRecovered(st state) {
	x.violations += len(st.recovered()) - len(st.violations())
	if st.set() == "mixed" {
		x.recMixed++
	}
	if len(st.leftovers) > 0 {
		x.recLeftovers++
	}
}

// tally adds one state to a row.
func (x *row) tally(st state) {
	x.states++
	x.violations += len(st.violations())
	if st.reader == readerNeedsRecovery {
		x.readerWaits++
	}
	if len(st.leftovers) > 0 {
		x.leftoverStates++
	}
	switch st.set() {
	case "all-old":
		x.allOld++
	case "all-new":
		x.allNew++
	default:
		x.mixed++
	}
}
