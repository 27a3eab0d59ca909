package imagestest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// List endpoints (GET /v1/files, GET /v1/batches) page like the API: limit
// objects at most, after=ID to start past an object, has_more when objects
// remain, and first_id and last_id naming the page's ends (null for an
// empty page). Sources: the upstream spec's listFiles (limit 1 to 10,000,
// default 10,000; order asc or desc by created_at, default desc; purpose)
// and listBatches (limit 1 to 100, default 20; newest first).

// pageQuery is a list request's paging.
type pageQuery struct {
	limit int
	after string
	asc   bool
}

// readPage reads limit, after and (withOrder) order; it answers a bad value
// as the API does and reports whether the handler should go on.
func readPage(w http.ResponseWriter, r *http.Request, defLimit, maxLimit int, withOrder bool) (pageQuery, bool) {
	q := r.URL.Query()
	p := pageQuery{limit: defLimit, after: q.Get("after")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			apiError(w, 400, "invalid_request_error", "limit", "invalid_type",
				fmt.Sprintf("Invalid 'limit': expected an integer, but got '%s' instead.", clipValue(s)))
			return p, false
		case n < 1:
			apiError(w, 400, "invalid_request_error", "limit", "integer_below_min_value",
				fmt.Sprintf("Invalid 'limit': integer below minimum value. Expected a value >= 1, but got %d instead.", n))
			return p, false
		case n > maxLimit:
			apiError(w, 400, "invalid_request_error", "limit", "integer_above_max_value",
				fmt.Sprintf("Invalid 'limit': integer above maximum value. Expected a value <= %d, but got %d instead.", maxLimit, n))
			return p, false
		}
		p.limit = n
	}
	if withOrder {
		switch o := q.Get("order"); o {
		case "", "desc":
		case "asc":
			p.asc = true
		default:
			apiError(w, 400, "invalid_request_error", "order", "invalid_value",
				fmt.Sprintf("Invalid value: '%s'. Supported values are: 'asc' and 'desc'.", clipValue(o)))
			return p, false
		}
	}
	return p, true
}

// writePage answers one page of objects, given newest first; id names an
// object. An after that names no object is answered 400.
func writePage[T any](w http.ResponseWriter, p pageQuery, newestFirst []T, id func(T) string, object func(T) map[string]any) {
	items := newestFirst
	if p.asc {
		items = slices.Clone(items)
		slices.Reverse(items)
	}
	if p.after != "" {
		i := slices.IndexFunc(items, func(t T) bool { return id(t) == p.after })
		if i < 0 {
			apiError(w, 400, "invalid_request_error", "after", "invalid_value",
				fmt.Sprintf("Invalid 'after': no object with id '%s'.", clipValue(p.after)))
			return
		}
		items = items[i+1:]
	}
	hasMore := len(items) > p.limit
	items = items[:min(len(items), p.limit)]
	data := make([]map[string]any, len(items))
	for i, t := range items {
		data[i] = object(t)
	}
	body := map[string]any{"object": "list", "data": data, "has_more": hasMore, "first_id": nil, "last_id": nil}
	if len(items) > 0 {
		body["first_id"], body["last_id"] = id(items[0]), id(items[len(items)-1])
	}
	writeJSON(w, body)
}
