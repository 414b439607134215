package httpapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A full map drops the bucket asked of least recently, not every bucket: a throttled
// key that keeps asking stays throttled through a flood of new keys.
func TestPingBucketsEvictTheOldest(t *testing.T) {
	l := newBuckets(1, 2, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 2 {
		ok, _ := l.allow("busy", now)
		assert.True(t, ok)
	}
	for i := range 100 {
		ok, _ := l.allow("busy", now)
		assert.False(t, ok, "throttled, after %d new keys", i)
		l.allow(fmt.Sprintf("new-%d", i), now)
		assert.LessOrEqual(t, l.lru.Len(), 3)
	}
	ok, _ := l.peek("never-seen", now)
	assert.True(t, ok)
	assert.NotContains(t, l.byKey, "never-seen", "peek adds no bucket")
}
