package protocol

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"time"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// errChanged: a file of the set changed between its read and the check
// that ends the read. Tried again.
var errChanged = errors.New("changed while the set was read")

// readSetWait bounds the retries of a consistent read whose context has
// no deadline: a batch renames for far less, unless a set is huge.
const readSetWait = time.Second

// deadMarkPause is how long a consistent read waits, where a batch closes
// its mark before removing it, before it looks again at a mark it found
// unlocked (see checkMarks).
const deadMarkPause = 10 * time.Millisecond

// immediateTries is how often a consistent read tries before it pauses.
const immediateTries = 4

// A SetFile is one file of a consistent read: its content, or its absence.
type SetFile struct {
	Name   string // as the caller gave it
	Data   []byte // nil if the file does not exist
	Exists bool
}

// ReadSet reads the files names as they all stood together at one instant
// at which no batch renaming any of them was half done: every file is a
// whole version of itself, and no two come from different sides of a
// commit (see commitmark.go). A file that does not exist is reported
// absent. Each name is resolved as a write resolves it (see Resolve).
//
// It reads every file, then looks for commit marks in their directories,
// then checks that no file changed since its read (a single write replaces
// the file: another inode, or at least another change time). If all holds,
// each file was unchanged from its read until the check, so at the instant
// of the last read all held what was read; and a batch half done then
// would have had its mark in place at the look (it removes it only after
// its last rename), or renamed a file of the set before the check. If not,
// it tries again, pausing longer each time, until ctx is done or, without
// a deadline, readSetWait has passed; then it fails with ErrInFlight. It
// takes no lock that a writer waits for.
//
// A Reads (kept, if not nil) keeps the directories it opens, and their
// marks directories, for the next ReadSet given it (see Reads).
func ReadSet(ctx context.Context, names []string, kept *Reads) ([]SetFile, error) {
	s, err := openSet(names, kept)
	defer s.close()
	if err != nil {
		return nil, err
	}
	if err := s.consistent(ctx); err != nil {
		return nil, err
	}
	return s.result(), nil
}

// consistent reads the set until a read is consistent (see ReadSet).
func (s *setRead) consistent(ctx context.Context) error {
	budget := readSetWait
	if deadline, ok := ctx.Deadline(); ok {
		budget = time.Until(deadline)
	}
	s.waits = Waits{limit: budget, done: ctx.Done()}
	retry := func(err error) bool { return errors.Is(err, ErrInFlight) || errors.Is(err, errChanged) }
	// A batch renames for microseconds, and a file that changed while it
	// was read has changed already: a few tries at once, then short pauses,
	// so that a reader comes back soon after a batch, before the next.
	err := s.read()
	for try := 1; try < immediateTries && retry(err); try++ {
		err = s.read()
	}
	if retry(err) {
		_, err = sys.Retry(10*time.Microsecond, time.Millisecond, budget, ctx.Done(), retry, s.read)
	}
	if errors.Is(err, errChanged) {
		err = fmt.Errorf("%w (%w on every try)", ErrInFlight, err)
	}
	return err
}

// result is the set as last read.
func (s *setRead) result() []SetFile {
	out := make([]SetFile, len(s.files))
	for i, f := range s.files {
		out[i] = SetFile{Name: f.name, Data: f.data, Exists: f.version.Exists}
	}
	return out
}

// A setRead is one consistent read: its files, and their directories.
type setRead struct {
	names []string
	files []setFile
	dirs  []setDir
	kept  *Reads // nil: nothing is kept
	// A directory of the set was missing when it was opened, and is there
	// now: the set is opened again.
	stale bool
	waits Waits // of enabling consistent reads (see enable): the read's own bound
}

type setFile struct {
	name     string
	dir      int // in setRead.dirs; -1: the directory does not exist
	dirPath  string
	base     string
	followed bool // base is the end of the links of the name (see follow)
	data     []byte
	version  Version // as read
}

type setDir struct {
	path   string // as the caller named it, for errors
	walked string // the path the walk resolved to it (resolve.Walk.Path)
	fd     int
	id     fileID // its identity, where it can be kept (see Reads)
	// keep: the directory is the one path names (not a link's), and can
	// be kept.
	keep bool
	// The marks directory, once a read has opened it (-1 before), and its
	// identity: held until the read ends, so that a read tried again
	// lists it again rather than open it anew.
	marks   int
	marksID fileID
	listed  bool // marks has been listed: it is read to its end
	// timesTell: its filesystem gives it a new change time with each
	// entry changed (sys.DirTimesTell), asked where it is kept. Then
	// statedAt is the clock (sys.DirTimeNow) before its last stat, and
	// listing holds its names while its change time is listedAt (see
	// list); else nil.
	timesTell bool
	statedAt  int64
	listing   []string
	listedAt  int64
}

// sameHandle reports whether a and b are the same handle on the same path.
func sameHandle(a, b setDir) bool {
	return a.fd == b.fd && a.path == b.path && a.walked == b.walked
}

// openSet opens the directories of names, each once (by the path it is
// named by). Their final names' links are followed when a read finds one
// (see follow): most names have none, and a stat of each would cost a
// read more than its link is worth.
func openSet(names []string, kept *Reads) (*setRead, error) {
	s := &setRead{names: names, files: make([]setFile, len(names))}
	if holdsDirs {
		s.kept = kept
	}
	byPath := make(map[string]int)
	for i, name := range names {
		f := &s.files[i]
		f.name = name
		if name == "" {
			return s, pathError("open", name, errEmptyPath)
		}
		dir, base := split(name)
		if base == "" {
			return s, pathError("open", name, sys.EISDIR)
		}
		d, ok := byPath[dir]
		if !ok {
			var err error
			if d, err = s.openDir(dir); err != nil {
				return s, pathError("open", name, err)
			}
			byPath[dir] = d
		}
		f.dir, f.dirPath, f.base = d, dir, base
	}
	return s, nil
}

// openDir opens the directory path of the set (-1 if it does not exist),
// or takes the one s.kept keeps for path.
func (s *setRead) openDir(path string) (int, error) {
	if d, ok := s.kept.take(path); ok {
		s.dirs = append(s.dirs, d)
		return len(s.dirs) - 1, nil
	}
	var w resolve.Walk
	fd, _, err := w.Dir(sys.AT_FDCWD, path)
	if err == sys.ENOENT {
		return -1, nil // its files are absent
	}
	if err != nil {
		return -1, err
	}
	d := s.addDir(path, w.Path, fd)
	if s.kept != nil {
		var st sys.Stat_t
		if sys.FstatUntimed(fd, &st) == nil {
			s.dirs[d].id, s.dirs[d].keep = idOf(&st), true
		}
	}
	return d, nil
}

// follow resolves the links of file i's name, which a read found to be a
// link, as a write resolves them, and reports whether it was one.
func (s *setRead) follow(i int) (bool, error) {
	f := &s.files[i]
	d := &s.dirs[f.dir]
	var st sys.Stat_t
	if err := sys.Fstatat(d.fd, f.base, &st, sys.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&sys.S_IFMT != sys.S_IFLNK {
		return false, nil
	}
	f.followed = true
	w := resolve.Walk{Path: d.walked}
	found, err := w.Entry(d.fd, f.base, &st)
	if err != nil {
		return true, err
	}
	f.base = found.Base
	if found.Owned {
		f.dir = s.addDir(f.dirPath, w.Path, found.Dir)
	}
	return true, nil
}

// addDir adds the directory open on fd, which the walk reached by walked.
// A directory named twice, by two paths, is looked at twice: that costs a
// read only what a stat of each would.
func (s *setRead) addDir(path, walked string, fd int) int {
	s.dirs = append(s.dirs, setDir{path: path, walked: walked, fd: fd, marks: -1})
	return len(s.dirs) - 1
}

// close closes the set's directories, or hands them to s.kept.
func (s *setRead) close() {
	for _, d := range s.dirs {
		if !d.keep || !s.kept.keep(d) {
			d.close()
		}
	}
	s.dirs = nil
}

func (d *setDir) close() error {
	var err error
	if d.marks >= 0 {
		err = sys.Close(d.marks)
	}
	return multierr.Append(err, sys.Close(d.fd))
}

// reopen opens the set again.
func (s *setRead) reopen() error {
	s.close()
	fresh, err := openSet(s.names, s.kept)
	fresh.waits = s.waits
	*s = *fresh
	return err
}

// read is one try: read every file, look for marks, check every file.
func (s *setRead) read() error {
	if s.stale {
		if err := s.reopen(); err != nil {
			return err
		}
	}
	for i := range s.files {
		f := &s.files[i]
		if f.dir < 0 {
			f.data, f.version = nil, Version{}
			continue
		}
		var err error
		if f.data, f.version, err = readAt(s.dirs[f.dir].fd, f.base); err != nil {
			if !f.followed {
				// A link (O_NOFOLLOW refused it): read again what it leads to.
				if link, ferr := s.follow(i); link {
					return pathError("read", f.name, cmp.Or(ferr, errChanged))
				}
			}
			return pathError("read", f.name, err)
		}
	}
	for i := range s.dirs {
		if err := s.checkMarks(i); err != nil {
			return err
		}
	}
	for i := range s.files {
		f := &s.files[i]
		var st sys.Stat_t
		if f.dir < 0 {
			if sys.Lstat(f.dirPath, &st) != sys.ENOENT {
				s.stale = true
				return pathError("read", f.name, errChanged)
			}
			continue
		}
		now := Version{}
		switch err := sys.Fstatat(s.dirs[f.dir].fd, f.base, &st, sys.AT_SYMLINK_NOFOLLOW); err {
		case nil:
			now = versionOf(&st)
		case sys.ENOENT:
		default:
			return pathError("stat", f.name, err)
		}
		if now != f.version {
			return pathError("read", f.name, errChanged)
		}
	}
	return nil
}

// readAt reads the regular file name in dirfd whole, with its version as
// it was read; a missing file is the zero Version and no error.
func readAt(dirfd int, name string) ([]byte, Version, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err == sys.ENOENT {
		return nil, Version{}, nil
	}
	if err != nil {
		return nil, Version{}, err
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		return nil, Version{}, err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFREG {
		return nil, Version{}, ErrNotRegular
	}
	data := make([]byte, 0, st.Size+1)
	for {
		n, err := sys.IgnoringEINTR(func() (int, error) { return sys.Read(fd, data[len(data):cap(data)]) })
		if err != nil {
			return nil, Version{}, err
		}
		data = data[:len(data)+n]
		// A short read at the size fstat gave is the end; a file that grew
		// in place meanwhile fails the check after the read anyway.
		if n == 0 || int64(len(data)) == st.Size && len(data) < cap(data) {
			break
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	return data, versionOf(&st), nil
}

// checkMarks looks for commit marks in the set's directory i: a live
// batch's is ErrInFlight, a dead one's ErrNeedsRecovery. A marks directory
// that neither root, the directory's owner nor the owner of a file of the
// set there owns is not trusted to hold every mark (see trustedMarks): the
// read fails. Where consistent reads are not enabled yet, it enables them
// if its user may (see enableReads), and the set is read again.
func (s *setRead) checkMarks(i int) error {
	d := &s.dirs[i]
	where := filepath.Join(d.path, marksDir)
	fd, st, err := d.openMarks(s.kept != nil)
	if err == sys.ENOENT {
		return s.enable(i)
	}
	if err != nil {
		return pathError("read", where, err)
	}
	if !s.trusts(i, &st) {
		return pathError("read", where, fmt.Errorf("belongs to uid %d, who could hide a commit: %w", st.Uid, fs.ErrPermission))
	}
	// The marks a batch that was committing when the directory was opened
	// left in it: one that has gone since is done, and the check after the
	// reads sees any rename it made.
	names, err := d.list(&st)
	if errors.Is(err, sys.ENOENT) {
		return s.enable(i)
	}
	if err != nil {
		return pathError("read", where, err)
	}
	if !slices.Contains(names, enabledName) {
		return s.enable(i)
	}
	probed := false
	for _, name := range names {
		var renaming, live bool
		switch {
		case modeMarks && isIdleName(name):
			var mark bool
			mark, renaming, live, err = idleMark(fd, name, nil)
			if err == nil && !mark {
				continue
			}
		case parseName(name, renamingSuffix) == markBase:
			renaming = true
			live, err = markLive(fd, name)
		case parseName(name, markSuffix) == markBase:
			live, err = markLive(fd, name)
		default:
			continue
		}
		if err == nil && !live && !unlinkOpen {
			// Where a batch lets go of its mark just before removing it
			// (see unlinkOpen), a mark found unlocked may be going: it is
			// a dead batch's only if it is still there a moment later.
			// Elsewhere markLive's own check after the lock settles it.
			time.Sleep(deadMarkPause)
			live, err = markLive(fd, name)
		}
		switch {
		case err == sys.ENOENT:
			// Renamed or removed since: its batch has moved on, and any
			// rename it made since the reads, the check after sees.
		case err != nil:
			return pathError("read", filepath.Join(where, name), err)
		case !live:
			return pathError("read", d.path, fmt.Errorf("%w (mark %s)", ErrNeedsRecovery, name))
		case renaming:
			return pathError("read", d.path, ErrInFlight)
		case !probed:
			// A live batch: renaming if it holds the marks directory's lock.
			probed = true
			busy, err := renamingNow(fd)
			if err != nil {
				return pathError("read", where, err)
			}
			if busy {
				return pathError("read", d.path, ErrInFlight)
			}
		}
	}
	return nil
}

// openMarks opens d's marks directory, with its stat, or returns the one d
// holds if that is still the one under its name: a held directory is not
// freed, so its identity tells. kept: d is kept for reads to come, and
// asks once whether the directory's change times tell (see list), and
// states it with its times where they do.
func (d *setDir) openMarks(kept bool) (int, sys.Stat_t, error) {
	var st sys.Stat_t
	if d.marks >= 0 && !holdsDirs {
		sys.Close(d.marks)
		d.marks = -1
	}
	if d.marks >= 0 {
		var err error
		if d.timesTell {
			// Its times: a held listing is as good as its change time.
			d.statedAt = sys.DirTimeNow()
			err = sys.Fstatat(d.fd, marksDir, &st, sys.AT_SYMLINK_NOFOLLOW)
		} else {
			err = sys.FstatatUntimed(d.fd, marksDir, &st, sys.AT_SYMLINK_NOFOLLOW)
		}
		if err == nil && idOf(&st) == d.marksID {
			return d.marks, st, nil
		}
		sys.Close(d.marks)
		d.marks, d.listing = -1, nil
		if err != nil {
			return -1, st, err
		}
	}
	fd, st, err := openMarksDir(d.fd)
	if err != nil {
		return -1, st, err
	}
	d.marks, d.marksID, d.listed, d.timesTell = fd, idOf(&st), false, false
	var timed sys.Stat_t
	if kept && sys.DirTimesTell(fd) {
		d.statedAt = sys.DirTimeNow()
		if sys.Fstat(fd, &timed) == nil {
			st, d.timesTell = timed, true
		}
	}
	return fd, st, nil
}

// list returns the names in d's marks directory, whose stat is st: as
// listed before, if its change time is still the one it had then. A name
// made, removed or renamed there gives the directory the time of the
// change as its change time, on the filesystems where d.timesTell, so the
// same change time says that no entry has changed, provided that no
// change can have come later in the same tick of the clock: a listing is
// held only if the change time was already past at the stat before it
// (d.statedAt), to the second where the filesystem's times count whole
// seconds (a time of a whole second, most likely).
func (d *setDir) list(st *sys.Stat_t) ([]string, error) {
	_, ctime := sys.StatTimes(st)
	if d.listing != nil && ctime == d.listedAt {
		return d.listing, nil
	}
	d.listing = nil
	if d.listed {
		if err := sys.Rewind(d.marks); err != nil {
			return nil, err
		}
	}
	d.listed = true
	names, err := sys.ReadDirNames(d.marks)
	past := d.statedAt
	if ctime%int64(time.Second) == 0 {
		past -= past % int64(time.Second)
	}
	if err == nil && d.timesTell && ctime < past {
		d.listing, d.listedAt = names, ctime
	}
	return names, err
}

// enable enables consistent reads in the set's directory i, whose batches
// have marked nothing so far: what was read is read again.
func (s *setRead) enable(i int) error {
	d := &s.dirs[i]
	err := enableReads(d.fd, &s.waits)
	switch {
	case errors.Is(err, ErrBusy):
		return pathError("read", d.path, fmt.Errorf("%w (enabling consistent reads waits for it: %w)", ErrInFlight, err))
	case err != nil:
		return pathError("read", d.path, err)
	}
	return pathError("read", d.path, errChanged)
}

// trusts reports whether the marks directory st in the set's directory i
// belongs to root, to the directory's owner, or to the owner of one of the
// set's files there.
func (s *setRead) trusts(i int, marks *sys.Stat_t) bool {
	var dst sys.Stat_t
	if marks.Uid == 0 || sys.FstatUntimed(s.dirs[i].fd, &dst) == nil && marks.Uid == dst.Uid {
		return true
	}
	for _, f := range s.files {
		var st sys.Stat_t
		if f.dir == i && sys.Fstatat(s.dirs[i].fd, f.base, &st, sys.AT_SYMLINK_NOFOLLOW) == nil && st.Uid == marks.Uid {
			return true
		}
	}
	return false
}
