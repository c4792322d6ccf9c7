package protocol

import (
	"errors"
	"slices"
	"sync"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// maxParallelSyncs bounds the fsyncs a batch has in flight at once. Several
// fsyncs issued together let the filesystem group them into few journal
// commits; an unbounded number would only queue on the device.
const maxParallelSyncs = 16

var errTempReplaced = errors.New("temp file was replaced by another file")

// syncTemps makes every temp durable, data and name, as its entry was
// sealed for (see SealMode): entries sealed CloseFile with one syncfs per
// filesystem, which lets the filesystem write everything in one journal
// commit; the others with an fsync of each temp, several at a time.
func syncTemps(entries []*Entry) error {
	if entries[0].sealMode != CloseFile {
		return syncAll(entries)
	}
	for _, e := range distinctFilesystems(entries) {
		if err := e.sync(); err != nil {
			return err
		}
	}
	return nil
}

// syncAll fsyncs every entry's temp, several at a time.
func syncAll(entries []*Entry) error {
	workers := min(len(entries), maxParallelSyncs)
	if workers <= 1 {
		var err error
		for _, e := range entries {
			err = multierr.Append(err, e.sync())
		}
		return err
	}
	errs := make([]error, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = entries[i].sync()
			}
		})
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return multierr.Combine(errs...)
}

// sync makes the entry's temp durable, and closes it if it is open.
func (e *Entry) sync() error {
	switch {
	case e.file.open():
		// The name comes before the fsync: btrfs makes a file linked after
		// its fsync durable only with another fsync.
		if err := e.name(); err != nil {
			return err
		}
		err := e.settings.inject(StepSync)
		if err == nil {
			err = sys.Fsync(e.file.fd)
		}
		if err != nil {
			e.file.close()
			return pathError("sync", e.Name, err)
		}
		return e.closeFile()
	case e.sealMode == CloseFile:
		// The temp is closed and named: one syncfs makes it durable, with
		// every other temp and name on its filesystem.
		err := e.settings.inject(StepSync)
		if err == nil {
			err = sys.Syncfs(e.Dir.fd)
		}
		if err != nil {
			return pathError("syncfs", e.Name, err)
		}
		return nil
	}
	// Closed when sealed, so it is reopened by name in its directory; the
	// inode check makes sure the name still leads to the file this entry
	// wrote. O_NONBLOCK: a FIFO swapped in for the temp would block an
	// open for reading until a writer came; the check refuses it.
	fd, err := sys.Openat(e.Dir.fd, e.temp, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err != nil {
		return pathError("open", e.Name, err)
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		return pathError("stat", e.Name, err)
	}
	// The type as well as the inode: a freed inode number may be reused at
	// once by whatever replaced the temp.
	if (fileID{uint64(st.Dev), uint64(st.Ino)}) != e.tempID || st.Mode&sys.S_IFMT != sys.S_IFREG {
		e.temp = "" // not ours any more: never remove it
		return pathError("sync", e.Name, errTempReplaced)
	}
	// A temp closed when sealed is always followed by a full flush (the
	// journal's, or a single entry's directory fsync): a barrier is
	// enough where the two differ (macOS).
	err = e.settings.inject(StepSync)
	if err == nil {
		err = sys.FsyncBarrier(fd)
	}
	if err != nil {
		return pathError("sync", e.Name, err)
	}
	return nil
}

// syncDirs fsyncs each distinct directory of entries once.
func syncDirs(entries []*Entry) error {
	var err error
	for _, e := range distinctDirs(entries) {
		err = multierr.Append(err, e.syncDir())
	}
	return err
}

// syncDir fsyncs the entry's directory, which makes the renames in it
// durable. Its error names the entry's target and wraps ErrNotDurable.
func (e *Entry) syncDir() error {
	err := e.settings.inject(StepSyncDir)
	if err == nil {
		err = sys.Fsync(e.Dir.fd)
	}
	if err != nil {
		return pathError("syncdir", e.Name, notDurable(err))
	}
	return nil
}

// distinctFilesystems returns the first entry of each filesystem among
// entries.
func distinctFilesystems(entries []*Entry) []*Entry {
	var devs []uint64
	var firsts []*Entry
	for _, e := range entries {
		if !slices.Contains(devs, e.Dir.id.dev) {
			devs = append(devs, e.Dir.id.dev)
			firsts = append(firsts, e)
		}
	}
	return firsts
}

// distinctDirs returns the first entry of each directory among entries.
func distinctDirs(entries []*Entry) []*Entry {
	seen := make(map[*Dir]bool)
	var firsts []*Entry
	for _, e := range entries {
		if !seen[e.Dir] {
			seen[e.Dir] = true
			firsts = append(firsts, e)
		}
	}
	return firsts
}
