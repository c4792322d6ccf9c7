package txn

import (
	"context"
	"iter"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

var (
	// ErrInFlight is wrapped by ReadSet when a transaction kept
	// committing to the set (or its files kept changing) through all of
	// the read's wait: it returns this rather than a set that may be half
	// old, half new. The error names the directory.
	ErrInFlight = protocol.ErrInFlight

	// ErrNeedsRecovery is wrapped by ReadSet when a transaction whose
	// writer died mid-commit touched a directory of the set: its files
	// may be half old, half new until Recover runs on that directory (and
	// on the transaction's journal directory). The error names the
	// directory.
	ErrNeedsRecovery = protocol.ErrNeedsRecovery

	// ErrReadsNotEnabled is wrapped by ReadSet (and Watch) when consistent
	// reads are not enabled in a directory of the set and the reader may
	// not enable them: see EnableReads. The error names the directory.
	ErrReadsNotEnabled = protocol.ErrReadsNotEnabled
)

// EnableReads enables consistent reads (ReadSet, Watch) of the files in
// the directories dirs: from then on, every Commit that renames files there
// marks the directory while it does, for readers to see. A directory
// where they are not enabled costs a Commit one failed open, and nothing
// else; where they are, 1–4 % more on a disk, or 1–2 % with Marks
// (docs/performance.md).
//
// It is for the directory's owner or root, once: it waits, within ctx, for
// the Commits in flight there to end (ErrBusy if they outlast it), then
// makes the directory .aw-commits there (remove it to turn them off). If a
// writer died mid-Commit there, it makes nothing and fails with
// ErrNeedsRecovery until Recover has run. ReadSet and Watch do the same
// themselves when their user owns the directory. Other users get
// ErrReadsNotEnabled.
func EnableReads(ctx context.Context, dirs ...string) error {
	for _, dir := range dirs {
		if err := protocol.EnableReads(ctx, dir); err != nil {
			return err
		}
	}
	return nil
}

// A File is one file of a set read by ReadSet.
type File struct {
	Name   string // the path given to ReadSet
	Data   []byte // the content; nil if the file does not exist
	Exists bool
}

// ReadSet reads the files names as they all stood together at one instant
// between transactions: each file whole, and never some from before a
// Commit and others from after it, whether the set spans directories and
// filesystems or not, and whether its files are changed by transactions or
// by single writes of package atomic. A file that does not exist is
// reported with Exists false, not as an error. Symlinks are followed as a
// write follows them.
//
// Consistent reads must be enabled in the files' directories (see
// EnableReads): where they are not, ReadSet enables them if its user owns
// the directory (or is root), else it fails with ErrReadsNotEnabled.
//
// It never blocks writers, and takes no lock they wait for (but once,
// where it enables consistent reads). If a Commit is
// renaming files of the set, or the files keep changing, it tries again,
// for a second at most in all, then fails with ErrInFlight. If a writer
// died in the middle of a Commit that touched the set, it fails with
// ErrNeedsRecovery until Recover has run.
//
// A program that reads the files one by one (os.ReadFile after
// os.ReadFile) can see half a transaction; see docs/protocol.md for who
// gets which view.
func ReadSet(names ...string) ([]File, error) {
	return ReadSetContext(context.Background(), names...)
}

// ReadSetContext is ReadSet with the caller's bound on its retries: they
// end when ctx is done (then, with ErrInFlight) instead of after a second.
func ReadSetContext(ctx context.Context, names ...string) ([]File, error) {
	return readSet(ctx, names, nil)
}

func readSet(ctx context.Context, names []string, kept *protocol.Reads) ([]File, error) {
	set, err := protocol.ReadSet(ctx, names, kept)
	if err != nil {
		return nil, err
	}
	files := make([]File, len(set))
	for i, f := range set {
		files[i] = File(f)
	}
	return files, nil
}

// Watch returns the set names as ReadSet reads it, then again each time a
// Commit (or a single write) has changed it, until ctx is done or the loop
// over it stops:
//
//	for files, err := range txn.Watch(ctx, "cert.pem", "key.pem") {
//		if err != nil { log.Print(err); continue }
//		reload(files)
//	}
//
// Each set it returns is consistent, as ReadSet's: it is woken by the
// changes in the set's directories (inotify on Linux; elsewhere it reads
// the set every 100 ms), and reads only once a Commit's renames are done,
// so a reload loop on it never sees half a transaction, and runs once per
// Commit that changes the set (Commits that follow each other faster than
// a read may come as one). An error (ErrNeedsRecovery, say) is returned
// once, then the watch goes on. The names are resolved once: a directory
// renamed or replaced afterwards is not followed.
func Watch(ctx context.Context, names ...string) iter.Seq2[[]File, error] {
	return func(yield func([]File, error) bool) {
		protocol.Watch(ctx, names, func(set []protocol.SetFile, err error) bool {
			if err != nil {
				return yield(nil, err)
			}
			files := make([]File, len(set))
			for i, f := range set {
				files[i] = File(f)
			}
			return yield(files, nil)
		})
	}
}
