package e2e

import (
	"context"
	"fmt"
	"time"
)

// arrivalTimeout bounds how long data may take to travel from an exporter
// through Jaeger to its query API, or on to Prometheus. It is a bound for
// eventual consistency, not a measured quantity: no test passes or fails on
// how quickly the data arrives within it.
const arrivalTimeout = 60 * time.Second

// eventually calls check every 250ms until it returns nil, ctx ends or
// arrivalTimeout passes, and returns check's last error in the latter cases.
func eventually(ctx context.Context, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, arrivalTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		// A check cut short by the deadline says less than the one before it.
		if last == nil || ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not within %s: %w", arrivalTimeout, last)
		case <-tick.C:
		}
	}
}
