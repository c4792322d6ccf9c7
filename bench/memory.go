package main

import (
	"fmt"
	"os"
	"strings"
)

// pageReportingOrder is the smallest block of free memory, as a power of
// two of pages, that a Linux guest reports to its host (free page
// reporting, virtio-balloon): the host then takes the memory back, and the
// guest's next use of it faults on the host, several times the cost of a
// copy into it. A replacement holds the old and the new content in the
// page cache at once, so its new file lands on such memory, while a
// truncate in place reuses its own pages: on this workplace's machines
// (order 9) the CLI through a pipe measured ×0.39–0.83 of `cat > f && sync
// f` through the same pipe with reporting on, ×1.00–1.30 with it off.
const pageReportingOrder = "/sys/module/page_reporting/parameters/page_reporting_order"

// holdFreedMemory keeps the memory the guest frees while the benchmark
// runs, so that it measures the variants rather than the host: it sets the
// reporting order above any block the kernel has (11), and returns what
// puts it back and a sentence for the results. The images' first fill
// (warm) then leaves its page cache's memory faulted in for the rest.
func holdFreedMemory() (restore func(), note string) {
	old, err := os.ReadFile(pageReportingOrder)
	if err != nil {
		return func() {}, "No free page reporting to the host (" + pageReportingOrder + " absent)."
	}
	order := strings.TrimSpace(string(old))
	if *keepRep {
		return func() {}, fmt.Sprintf("Free page reporting to the host left on (order %s, -keep-reporting).", order)
	}
	if err := os.WriteFile(pageReportingOrder, []byte("11"), 0); err != nil {
		return func() {}, fmt.Sprintf("Free page reporting to the host left on (order %s): %v.", order, err)
	}
	return func() { os.WriteFile(pageReportingOrder, old, 0) },
		fmt.Sprintf("Free page reporting to the host (order %s) off while measuring (bench/memory.go).", order)
}
