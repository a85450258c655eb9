"""Colours and the stylesheet shared by every HTML view, readable in light and dark themes."""

from __future__ import annotations

from ..models import OrderStatus

# Mid-saturation hues that read on both a light and a dark page. Backgrounds use them as
# translucent tints and text keeps the theme's own colour, so no theme is ever assumed.
STATUS_RGB: dict[OrderStatus, tuple[int, int, int]] = {
    OrderStatus.COMPLETED: (46, 160, 67),
    OrderStatus.FAILED: (215, 58, 73),
    OrderStatus.PENDING: (219, 154, 4),
    OrderStatus.PROCESSING: (56, 139, 253),
    OrderStatus.CANCELLED: (128, 128, 128),
    OrderStatus.REFUNDED: (137, 87, 229),
    OrderStatus.REPLACED: (27, 152, 160),
    OrderStatus.UNKNOWN: (160, 120, 90),
}


def status_rgb(status: OrderStatus | str) -> tuple[int, int, int]:
    try:
        return STATUS_RGB[OrderStatus(status)]
    except ValueError:
        return STATUS_RGB[OrderStatus.UNKNOWN]


def _badge_rules() -> str:
    rules = []
    for status, (r, g, b) in STATUS_RGB.items():
        rules.append(
            f".eo-view .eo-s-{status.value.lower()}{{background:rgba({r},{g},{b},.16);"
            f"border-color:rgba({r},{g},{b},.55)}}"
        )
    return "\n".join(rules)


_FG = "var(--jp-ui-font-color1, inherit)"
_MUTED = "var(--jp-ui-font-color2, inherit)"
_LINE = "var(--jp-border-color2, rgba(128,128,128,.3))"
_PANEL = "var(--jp-layout-color1, transparent)"
_RAISED = "var(--jp-layout-color2, rgba(128,128,128,.08))"
_MONO = "var(--jp-code-font-family, ui-monospace, SFMono-Regular, Menlo, monospace)"

#: One stylesheet, scoped by the `eo-` prefix, included once per HTML output. It names only
#: JupyterLab's CSS variables (with neutral fallbacks), so it follows the page's theme.
STYLESHEET = f"""<style>
.eo-view{{font-family:var(--jp-ui-font-family, system-ui, sans-serif);
  font-size:var(--jp-ui-font-size1, 13px);color:{_FG};line-height:1.45}}
.eo-view h3,.eo-view h4{{margin:.2em 0 .4em 0;color:{_FG}}}
.eo-view .eo-muted{{color:{_MUTED};opacity:.85}}
.eo-view .eo-mono{{font-family:{_MONO};font-size:.95em}}
.eo-view .eo-badge{{display:inline-block;padding:0 8px;border:1px solid {_LINE};
  border-radius:10px;font-size:11px;font-weight:600;line-height:18px;white-space:nowrap;
  color:{_FG}}}
{_badge_rules()}
.eo-view table.eo-table{{border-collapse:collapse;width:100%;margin:4px 0;table-layout:auto;
  background:{_PANEL};color:{_FG};font-size:12px;border:none}}
.eo-view table.eo-table th{{text-align:left;font-weight:600;background:{_RAISED};
  padding:4px 8px;border:none;border-bottom:1px solid {_LINE}}}
.eo-view table.eo-table td{{text-align:left;padding:4px 8px;border:none;
  border-bottom:1px solid {_LINE};vertical-align:top;background:transparent}}
.eo-view table.eo-table tr.eo-selected td{{background:rgba(56,139,253,.12)}}
.eo-view .eo-card{{border:1px solid {_LINE};border-radius:6px;padding:10px 14px;
  margin:4px 0;background:{_PANEL};color:{_FG}}}
.eo-view .eo-card.eo-trouble{{border-left:4px solid rgba(215,58,73,.85)}}
.eo-view .eo-card.eo-stuck{{border-left:4px solid rgba(219,154,4,.9)}}
.eo-view .eo-card.eo-ok{{border-left:4px solid rgba(46,160,67,.85)}}
.eo-view .eo-card h4{{display:flex;gap:8px;align-items:center;flex-wrap:wrap}}
.eo-view dl.eo-facts{{display:grid;grid-template-columns:max-content minmax(0,1fr);
  gap:2px 14px;margin:6px 0}}
.eo-view dl.eo-facts dt{{float:none;width:auto;margin:0;padding:0;color:{_MUTED};
  font-weight:600}}
.eo-view dl.eo-facts dd{{float:none;width:auto;margin:0;padding:0;word-break:normal;
  overflow-wrap:break-word}}
.eo-view .eo-quote{{border-left:3px solid {_LINE};padding:0 6px;font-style:italic}}
.eo-view .eo-bar{{display:inline-block;width:120px;height:8px;border:1px solid {_LINE};
  border-radius:4px;vertical-align:middle;overflow:hidden;background:{_RAISED}}}
.eo-view .eo-bar>span{{display:block;height:100%;background:rgba(46,160,67,.85)}}
.eo-view .eo-card ol{{margin:4px 0 4px 1.4em;padding:0}}
.eo-view .eo-card pre{{white-space:pre-wrap;background:{_RAISED};color:{_FG};
  padding:6px 8px;border:none;border-radius:4px;font-family:{_MONO};font-size:12px;
  margin:4px 0;word-break:normal;overflow-wrap:break-word}}
.eo-view .eo-card summary{{cursor:pointer;font-weight:600}}
.eo-view .eo-error{{border:1px solid rgba(215,58,73,.55);
  border-left:4px solid rgba(215,58,73,.9);background:rgba(215,58,73,.10);color:{_FG};
  border-radius:4px;padding:6px 10px;margin:4px 0}}
.eo-view .eo-notice{{border-left:4px solid rgba(219,154,4,.9);background:rgba(219,154,4,.10);
  color:{_FG};border-radius:4px;padding:4px 10px;margin:4px 0}}
.eo-view .eo-chart{{display:inline-block;vertical-align:top;margin:4px 24px 4px 0;
  color:{_FG}}}
.eo-view .eo-chart svg{{overflow:visible;max-width:100%}}
.eo-view a.eo-download{{color:var(--jp-content-link-color, #1a73e8);font-weight:600}}
.eo-view .eo-source{{display:inline-block;padding:1px 10px;border-radius:10px;font-size:12px;
  font-weight:600;margin:2px 0 6px 0;border:1px solid {_LINE}}}
.eo-view .eo-source-sandbox{{background:rgba(219,154,4,.14);border-color:rgba(219,154,4,.55)}}
.eo-view .eo-source-live{{background:rgba(46,160,67,.14);border-color:rgba(46,160,67,.55)}}
.eo-view .eo-kpis{{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 2px 0}}
.eo-view .eo-kpi{{flex:1 1 200px;border:1px solid {_LINE};border-left-width:4px;
  border-radius:6px;padding:6px 12px;background:{_PANEL};color:{_FG}}}
.eo-view .eo-kpi-today{{border-left-color:rgba(56,139,253,.85)}}
.eo-view .eo-kpi-failed{{border-left-color:rgba(215,58,73,.85)}}
.eo-view .eo-kpi-stuck{{border-left-color:rgba(219,154,4,.9)}}
.eo-view .eo-kpi-label{{font-size:12px;font-weight:600;color:{_MUTED}}}
.eo-view .eo-kpi-value{{font-size:22px;font-weight:600;line-height:1.25}}
.eo-view .eo-kpi-split,.eo-view .eo-kpi-scope{{font-size:11px}}
.eo-view .eo-kpi-scope{{margin:2px 0 6px 0}}
/* The date pickers' calendar icon is drawn by the browser in the page's colour scheme. */
body[data-jp-theme-light="false"] .eo-view input[type="date"]{{color-scheme:dark}}
</style>"""
