//go:build unix && (!linux || atomicwrite_bsd)

package txn_test

import (
	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// syncStrategies without Linux's syncfs and exchange (the BSDs, and Linux
// built with the atomicwrite_bsd personality): one. A batch fsyncs each
// temp, reopened, and each directory, and keeps hard-link backups,
// whatever the options.
var syncStrategies = []syncStrategy{
	{"per-file/links", nil, map[protocol.Step]int{
		protocol.StepCreate: 3, protocol.StepWrite: 3, protocol.StepChown: 2, protocol.StepChmod: 2,
		protocol.StepClose: 3, protocol.StepLink: 2, protocol.StepSync: 3, protocol.StepSyncStaged: 2,
		protocol.StepJournal: 1, protocol.StepRename: 3, protocol.StepSyncDir: 2,
	}},
}
