module github.com/atomicwrite/atomicwrite/bench

go 1.26.0

require (
	github.com/atomicwrite/atomicwrite v0.0.0
	github.com/google/renameio/v2 v2.0.2
	github.com/natefinch/atomic v1.0.1
	golang.org/x/image v0.48.0
	golang.org/x/sys v0.50.0
)

require go.uber.org/multierr v1.11.0 // indirect

replace github.com/atomicwrite/atomicwrite => ../
