package console

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// jssdk answers GET /console/jssdk?url=URL with the wx.config and wx.agentConfig parameters for a console page:
// {"config":{corpid,timestamp,nonceStr,signature},"agentConfig":{corpid,agentid,timestamp,nonceStr,signature}}.
// Only URLs of the console's own pages are signed (400 otherwise): a signature for any URL would let another
// site call the JS-SDK as this app.
func (s *Server) jssdk(w http.ResponseWriter, r *http.Request, v *visitor) {
	raw := r.URL.Query().Get("url")
	u, err := url.Parse(raw)
	if raw == "" || len(raw) > 2048 || err != nil || u.Scheme != s.origin.Scheme || !strings.EqualFold(u.Host, s.origin.Host) ||
		!strings.HasPrefix(u.Path, "/console/") || u.User != nil {
		http.Error(w, "url must be a page of this console, under "+s.origin.String()+"/console/", http.StatusBadRequest)
		return
	}
	cfg, agent, err := s.d.Client.JSSDK.Sign(r.Context(), raw)
	if err != nil {
		s.d.Logger.Warn("console: cannot sign a page for the JS-SDK", slog.String("err", err.Error()))
		http.Error(w, "cannot get the JS-SDK tickets from WeCom now", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"config": map[string]any{"corpid": cfg.CorpID, "timestamp": cfg.Timestamp, "nonceStr": cfg.NonceStr, "signature": cfg.Signature},
		"agentConfig": map[string]any{"corpid": agent.CorpID, "agentid": agent.AgentID, "timestamp": agent.Timestamp,
			"nonceStr": agent.NonceStr, "signature": agent.Signature},
	})
}
