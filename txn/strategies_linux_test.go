//go:build !atomicwrite_bsd

package txn_test

import (
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/txn"
)

// syncStrategies are the ways a batch makes its temps durable, with
// exchanges or with link backups, and the steps of a 3-entry commit in 2
// directories (one filesystem) under each: per entry, create, write, chown
// (x and z exist; as root they belong to another user), chmod, close; with
// link backups, 2 links (all but the last entry); then one syncfs, or 3
// fsyncs of the reopened temps and 2 of the directories; the journal (the
// commit point); 3 renames (exchanges for x and z); 2 directory syncs.
var syncStrategies = []syncStrategy{
	{"syncfs", nil, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChown: 2, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepSync: 1,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
	{"per-file", []txn.Option{txn.WithPerFileSync()}, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChown: 2, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepSync: 3, protocol.StepSyncStaged: 2,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
	{"syncfs/links", []txn.Option{txn.WithSeam(linkBackups)}, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChown: 2, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepLink: 2, protocol.StepSync: 1,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
	{"per-file/links", []txn.Option{txn.WithPerFileSync(), txn.WithSeam(linkBackups)}, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChown: 2, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepLink: 2, protocol.StepSync: 3, protocol.StepSyncStaged: 2,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
}
