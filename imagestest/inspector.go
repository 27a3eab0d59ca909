package imagestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The inspector: GET / is an HTML page of the newest requests (time,
// method, path, model, main parameters, status, latency, request id, and
// thumbnails of the images returned), kept current through server-sent
// events from GET /v1/emulator/events. It needs no external script or style
// and shows no header, so no key can appear on it.

// inspectorRows is how many requests the page shows.
const inspectorRows = 50

// Timing of the inspector's event stream: at most one update per
// eventThrottle, and the stream ends after eventLifetime (the browser
// reconnects by itself), so no connection is held for ever.
const (
	eventThrottle = 250 * time.Millisecond
	eventLifetime = 5 * time.Minute
)

func (e *Emulator) routeInspector(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", e.inspectorPage)
	mux.HandleFunc("GET /v1/emulator/requests", e.serveLog)
	mux.HandleFunc("DELETE /v1/emulator/requests", e.serveLog)
	mux.HandleFunc("GET /v1/emulator/requests/{seq}/thumbnails/{i}", e.serveThumb)
	mux.HandleFunc("GET /v1/emulator/events", e.inspectorEvents)
}

// row is a request as the page shows it.
type row struct {
	Seq                            uint64
	Time, Method, Path, Model      string
	Params, Status, Latency, ReqID string
	Failed, Pending                bool
	Thumbs                         []string
}

// rows returns the newest requests, newest first.
func (e *Emulator) rows() []row {
	entries := e.entries(0)
	if len(entries) > inspectorRows {
		entries = entries[len(entries)-inspectorRows:]
	}
	slices.Reverse(entries)
	out := make([]row, len(entries))
	for i, en := range entries {
		r := row{
			Seq: en.Seq, Time: en.Time.Format("15:04:05.000"), Method: en.Method, Path: en.Path, Model: en.Model,
			Params: summarize(en), ReqID: en.RequestID, Pending: !en.Done, Failed: en.Status >= 400 || (en.Done && en.Status == 0),
		}
		switch {
		case !en.Done:
			r.Status = "…"
		case en.Status == 0:
			r.Status = "dropped"
		default:
			r.Status = strconv.Itoa(en.Status)
			r.Latency = fmt.Sprintf("%.1f ms", en.DurationMs)
		}
		for k := range en.Images {
			r.Thumbs = append(r.Thumbs, fmt.Sprintf("/v1/emulator/requests/%d/thumbnails/%d", en.Seq, k))
		}
		out[i] = r
	}
	return out
}

// summaryKeys are the parameters the page shows, in order.
var summaryKeys = []string{"size", "quality", "n", "output_format", "background", "stream", "partial_images", "response_format", "input_fidelity", "purpose", "endpoint", "previous_response_id"}

// summarize words an entry's main parameters: "size=1024x1024 quality=high
// · 2 files · "a prompt"".
func summarize(en logEntry) string {
	var parts []string
	for _, k := range summaryKeys {
		if v, ok := en.Params[k]; ok && v != nil {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if tools, ok := en.Params["tools"].([]any); ok {
		for _, t := range tools {
			if m, ok := t.(map[string]any); ok {
				s := fmt.Sprint(m["type"])
				if tm, ok := m["model"].(string); ok {
					s += "(" + tm + ")"
				}
				parts = append(parts, "tool="+s)
			}
		}
	}
	if len(en.Files) > 0 {
		parts = append(parts, fmt.Sprintf("%d file(s)", len(en.Files)))
	}
	prompt, _ := en.Params["prompt"].(string)
	if prompt == "" {
		prompt, _ = en.Params["input"].(string)
	}
	if prompt != "" {
		prompt = strings.Join(strings.Fields(prompt), " ")
		if r := []rune(prompt); len(r) > 80 {
			prompt = string(r[:80]) + "…"
		}
		parts = append(parts, strconv.Quote(prompt))
	}
	return strings.Join(parts, " · ")
}

func (e *Emulator) inspectorPage(w http.ResponseWriter, r *http.Request) {
	rows := e.rows()
	var buf bytes.Buffer
	if err := inspectorTemplate.Execute(&buf, map[string]any{"Rows": rows, "Base": baseURL(r) + "/v1", "Max": inspectorRows}); err != nil {
		http.Error(w, "inspector: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
	w.Write(buf.Bytes())
}

// serveThumb sends a thumbnail as PNG.
func (e *Emulator) serveThumb(w http.ResponseWriter, r *http.Request) {
	seq, err1 := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	i, err2 := strconv.Atoi(r.PathValue("i"))
	e.mu.Lock()
	var rec *recording
	for _, x := range e.recs {
		if x.seq == seq {
			rec = x
		}
	}
	e.mu.Unlock()
	if err1 != nil || err2 != nil || rec == nil {
		http.NotFound(w, r)
		return
	}
	rec.mu.Lock()
	var ok bool
	var buf bytes.Buffer
	if i >= 0 && i < len(rec.thumbs) {
		ok = png.Encode(&buf, rec.thumbs[i]) == nil
	}
	rec.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(buf.Bytes())
}

// inspectorEvents streams the page's rows as JSON each time requests end.
func (e *Emulator) inspectorEvents(w http.ResponseWriter, r *http.Request) {
	ch := make(chan struct{}, 1)
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.subs, ch)
		e.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	send := func() bool {
		b, _ := json.Marshal(e.rows())
		_, err := fmt.Fprintf(w, "event: rows\ndata: %s\n\n", b)
		return err == nil && rc.Flush() == nil
	}
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil || !send() {
		return
	}
	end := time.NewTimer(eventLifetime)
	defer end.Stop()
	for {
		select {
		case <-ch:
			// Let a burst of requests end before sending.
			if !waitOrDone(r.Context(), eventThrottle) || !send() {
				return
			}
		case <-end.C:
			return
		case <-e.closed:
			return
		case <-r.Context().Done():
			return
		}
	}
}

var inspectorTemplate = template.Must(template.New("inspector").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>openai-images emulator: requests</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
p.base { margin: 0 0 1em; color: #555; }
code { font-family: ui-monospace, monospace; font-size: .95em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; position: sticky; top: 0; }
td.params { max-width: 34em; word-break: break-word; color: #333; }
td.status { font-weight: 600; color: #1a7f37; }
tr.failed td.status { color: #c62828; }
tr.pending td.status { color: #888; }
td.thumbs img { border: 1px solid #ccc; margin-right: 4px; background: repeating-conic-gradient(#ddd 0% 25%, #fff 0% 50%) 50% / 12px 12px; }
td.model, td.latency, td.thumbs { white-space: nowrap; }
td.reqid, td.time { font-family: ui-monospace, monospace; font-size: .9em; white-space: nowrap; }
#live { font-size: .85em; color: #888; margin-left: .5em; }
</style>
</head>
<body>
<h1>openai-images emulator <span id="live">(static)</span></h1>
<p class="base">Base URL <code>{{.Base}}</code>: the newest {{.Max}} requests, newest first.</p>
<table id="requests">
<thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Model</th><th>Parameters</th><th>Status</th><th>Latency</th><th>Request ID</th><th>Images</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-seq="{{.Seq}}"{{if .Failed}} class="failed"{{else if .Pending}} class="pending"{{end}}><td class="time">{{.Time}}</td><td>{{.Method}}</td><td>{{.Path}}</td><td class="model">{{.Model}}</td><td class="params">{{.Params}}</td><td class="status">{{.Status}}</td><td class="latency">{{.Latency}}</td><td class="reqid">{{.ReqID}}</td><td class="thumbs">{{range .Thumbs}}<img src="{{.}}" alt="returned image" height="48">{{end}}</td></tr>
{{else}}<tr class="empty"><td colspan="9">No requests yet. Point an SDK at the base URL above.</td></tr>
{{end}}</tbody>
</table>
<script>
(function () {
  var live = document.getElementById("live");
  var body = document.querySelector("#requests tbody");
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text || "";
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function render(rows) {
    var out = document.createDocumentFragment();
    if (!rows || rows.length === 0) {
      var tr = document.createElement("tr");
      tr.className = "empty";
      var td = cell(tr, "No requests yet. Point an SDK at the base URL above.");
      td.colSpan = 9;
      out.appendChild(tr);
    }
    (rows || []).forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.seq = r.Seq;
      if (r.Failed) tr.className = "failed"; else if (r.Pending) tr.className = "pending";
      cell(tr, r.Time, "time"); cell(tr, r.Method); cell(tr, r.Path); cell(tr, r.Model, "model");
      cell(tr, r.Params, "params"); cell(tr, r.Status, "status"); cell(tr, r.Latency, "latency"); cell(tr, r.ReqID, "reqid");
      var td = cell(tr, "", "thumbs");
      (r.Thumbs || []).forEach(function (src) {
        var img = document.createElement("img");
        img.src = src; img.alt = "returned image"; img.height = 48;
        td.appendChild(img);
      });
      out.appendChild(tr);
    });
    body.replaceChildren(out);
  }
  if (!window.EventSource) return;
  var es = new EventSource("/v1/emulator/events");
  es.addEventListener("rows", function (ev) { render(JSON.parse(ev.data)); });
  es.onopen = function () { live.textContent = "(live)"; };
  es.onerror = function () { live.textContent = "(reconnecting…)"; };
})();
</script>
</body>
</html>
`))
