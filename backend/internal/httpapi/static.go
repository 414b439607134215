package httpapi

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// dashboard serves the built SPA from dir: files as they are, index.html for any other
// path without a file extension (the SPA's own routes, so deep links work), and 404
// for a missing file (an old hashed asset after a deploy must fail as a 404, not load
// index.html as JavaScript). Hashed assets under /assets/ never change, so browsers
// may keep them; everything else is revalidated on every load.
func dashboard(dir string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			p := req.URL.Path
			if (req.Method != http.MethodGet && req.Method != http.MethodHead) || strings.HasPrefix(p, "/api/") ||
				strings.HasPrefix(p, "/docs") || p == "/openapi.json" || p == "/healthz" || p == "/readyz" {
				return next(c)
			}
			root, err := os.OpenRoot(dir)
			if err != nil {
				return err
			}
			defer func() { _ = root.Close() }()
			name := strings.TrimPrefix(path.Clean("/"+p), "/")
			if name == "" {
				name = "index.html"
			}
			f, err := root.Open(name)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrInvalid) || isDir(f) {
				if f != nil {
					_ = f.Close()
				}
				if path.Ext(name) != "" {
					return next(c) // the router answers 404
				}
				name = "index.html"
				f, err = root.Open(name)
			}
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			if strings.HasPrefix(name, "assets/") {
				c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				c.Response().Header().Set("Cache-Control", "no-cache")
			}
			http.ServeContent(c.Response(), req, st.Name(), st.ModTime(), f)
			return nil
		}
	}
}

func isDir(f *os.File) bool {
	if f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.IsDir()
}
