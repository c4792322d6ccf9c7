package txn_test

import (
	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// syncStrategies on Windows: one. A batch keeps each temp open to its
// FlushFileBuffers, flushes each directory before the journal, and keeps
// hard-link backups (Windows cannot exchange
// two names), whatever the options. The owners are not compared: no chown.
var syncStrategies = []syncStrategy{
	{"keep-open", nil, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepLink: 2, protocol.StepSync: 3, protocol.StepSyncStaged: 2,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
}
