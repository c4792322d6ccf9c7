package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// stepSizes are the batch sizes of the steps workload.
func stepSizes() []int {
	if *quick {
		return []int{100}
	}
	return []int{100, 1000}
}

// stepVariants are the steps workload's variants: the staged limit, the
// limit with each of protocolSteps added in turn, and atomicwrite txn.
func stepVariants() []batch {
	v := []batch{{"limit (staged, one syncfs)", stagedSyncfs}}
	for k, name := range protocolSteps {
		v = append(v, batch{name, stagedSteps(k + 1)})
	}
	return append(v, batch{"atomicwrite txn", txnWrite})
}

// steps prices a transaction's calls one at a time, on N files of 4 KiB in
// one directory: what each adds to the staged limit, and what the library
// adds to them all.
func (r *results) steps(fs filesystem) error {
	data := bytes.Repeat([]byte("x"), 4096)
	if r.stepCells == nil {
		r.stepCells = map[string]map[string]map[string]cell{}
	}
	for _, n := range stepSizes() {
		root := filepath.Join(fs.dir, fmt.Sprintf("steps-%d", n))
		paths, err := batchPaths(root, n, 1)
		if err != nil {
			return err
		}
		for _, p := range paths {
			os.WriteFile(p, data, 0o644)
		}
		err = measureBatches(r.stepCells, fmt.Sprint(n), fs, stepVariants(), paths, data)
		os.RemoveAll(root)
		if err != nil {
			return err
		}
	}
	return nil
}
