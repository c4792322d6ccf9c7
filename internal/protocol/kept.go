package protocol

import (
	"sync"

	"go.uber.org/multierr"
)

// maxKept bounds what a Marks or a Reads holds: a kept mark holds two
// handles, one per directory a writer commits to (more only while its
// batches overlap there); a kept directory of a reader's two.
const maxKept = 64

// A pool holds what a Marks or a Reads keeps between operations: each
// item serves one operation at a time, taken from the pool and put back
// after. The zero value is ready.
type pool[T any, P interface {
	*T
	close() error
}] struct {
	mu     sync.Mutex
	items  []T
	closed bool
}

// take takes the first item that match accepts, if any.
func (p *pool[T, P]) take(match func(*T) bool) (T, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.items {
		if match(&p.items[i]) {
			item := p.items[i]
			p.items = append(p.items[:i], p.items[i+1:]...)
			return item, true
		}
	}
	var none T
	return none, false
}

// empty reports whether p holds nothing.
func (p *pool[T, P]) empty() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items) == 0
}

// put keeps item, and reports whether it did (not once p is closed or
// full).
func (p *pool[T, P]) put(item T) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.items) == maxKept {
		return false
	}
	p.items = append(p.items, item)
	return true
}

// Close closes what p holds. What is put after it is not kept.
func (p *pool[T, P]) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var err error
	for i := range p.items {
		err = multierr.Append(err, P(&p.items[i]).close())
	}
	p.items = nil
	return err
}
