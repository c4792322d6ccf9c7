package protocol

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// watchPoll is how often Watch reads a set where the kernel cannot tell it
// of changes (sys.WatchDirs).
const watchPoll = 100 * time.Millisecond

// Watch calls yield with the set names as ReadSet reads it, then again
// each time the set is found changed, until ctx is done or yield returns
// false. It reads the set again whenever something changes in one of its
// directories (or every watchPoll, where the kernel cannot tell), and
// yields only a consistent read that differs from the last one yielded: a
// commit's renames wake it, its read waits for the commit to be done (see
// ReadSet), so it yields once per commit, with the whole new set (commits
// that follow each other faster than a read may be yielded as one). An
// error is yielded once, until a set or another error follows. The names
// are resolved once: a directory renamed or replaced afterwards is not
// followed.
func Watch(ctx context.Context, names []string, yield func([]SetFile, error) bool) {
	s, err := openSet(names, nil)
	defer s.close()
	if err != nil {
		yield(nil, err)
		return
	}
	var w *sys.DirWatch
	var watched []setDir
	defer func() {
		if w != nil {
			w.Close()
		}
	}()
	var last []SetFile
	lastErr := ""
	for {
		if !slices.EqualFunc(watched, s.dirs, sameHandle) {
			// Watched before the read, so that no change after it is
			// missed; again when the set was opened again (a directory
			// appeared).
			if w != nil {
				w.Close()
			}
			w, watched = s.watch(), slices.Clone(s.dirs)
		}
		err := s.consistent(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case !slices.EqualFunc(watched, s.dirs, sameHandle):
			continue
		case err != nil:
			if err.Error() != lastErr && !yield(nil, err) {
				return
			}
			lastErr = err.Error()
		case !s.same(last):
			last, lastErr = s.result(), ""
			if !yield(last, nil) {
				return
			}
		}
		if w != nil {
			if err := w.Wait(ctx.Done()); err != nil {
				yield(nil, err)
				return
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(watchPoll):
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// watch watches the set's directories, or returns nil where the kernel
// cannot, or while a directory of the set is missing (its creation would
// not be seen): the set is then polled.
func (s *setRead) watch() *sys.DirWatch {
	fds := make([]int, len(s.dirs))
	for i, d := range s.dirs {
		fds[i] = d.fd
	}
	for _, f := range s.files {
		if f.dir < 0 {
			return nil
		}
	}
	w, err := sys.WatchDirs(fds)
	if err != nil {
		return nil
	}
	return w
}

// same reports whether the set as last read holds what files do: a
// commit that changed nothing in it (a link backup changes a file's change
// time, not its content) is no new set.
func (s *setRead) same(files []SetFile) bool {
	if len(files) != len(s.files) {
		return false
	}
	for i, f := range s.files {
		if f.version.Exists != files[i].Exists || !bytes.Equal(f.data, files[i].Data) {
			return false
		}
	}
	return true
}
