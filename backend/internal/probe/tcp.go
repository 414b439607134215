package probe

import (
	"context"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// tcpChecker prepares the checks of a tcp target: a connection opened through the
// guard and closed at once. Its latency is the connect time; a refused or timed-out
// connection may pass, so it is retried.
func (p *Prober) tcpChecker(ep target.Endpoint, conds target.Conditions) attemptFunc {
	addr := ep.Address()
	return func(ctx, actx context.Context, start time.Time, limit time.Duration) result {
		actx, reach := netguard.Trace(actx)
		conn, err := p.dialer.DialContext(actx, "tcp", addr)
		end := time.Now()
		if err != nil {
			r := classify(ctx, actx, err, limit, reach.Exempt())
			r.end, r.latency = end, end.Sub(start)
			return r
		}
		// Nothing is sent: the open connection is the answer. A close error says
		// nothing about the target.
		_ = conn.Close()
		return judge(result{end: end, latency: end.Sub(start)}, conds, target.Answer{Private: reach.Exempt()})
	}
}
