package httpapi

import "github.com/watchdog-monitor/watchdog/backend/internal/account"

// RouteInfo is one route table entry as tests see it: the role matrix is generated
// from the table itself, so a new route cannot miss it.
type RouteInfo struct {
	Method, Path string
	Public       bool
	Session      bool
	Least        account.Role
}

// Routes returns the route table.
func Routes() []RouteInfo {
	out := make([]RouteInfo, len(routeTable))
	for i, r := range routeTable {
		out[i] = RouteInfo{Method: r.method, Path: r.path, Public: r.access.public, Session: r.access.session, Least: r.access.least}
	}
	return out
}

// DocumentedAs is documentedAs, for the documentation test.
var DocumentedAs = documentedAs
