using System.Globalization;
using System.Text;

namespace Fault.Tests;

/// <summary>The soak's chart: one small panel per metric, minutes across, one line per service. Plain SVG, no library.</summary>
public static class SoakChart
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];

    public static string Svg(IReadOnlyList<(int Minute, string Service, double?[] Values)> rows, string[] metrics, string[] services)
    {
        const int width = 420, height = 220, left = 50, top = 30, plotW = 340, plotH = 150, columns = 3;
        var panels = metrics.Length;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{columns * width}\" height=\"{(panels + columns - 1) / columns * height + 40}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        var maxMinute = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Minute));
        for (var p = 0; p < panels; p++)
        {
            var (ox, oy) = (p % columns * width, p / columns * height);
            var values = rows.Select(r => r.Values[p]).Where(v => v is not null).Select(v => v!.Value).ToList();
            var max = values.Count == 0 ? 1 : Math.Max(1, values.Max() * 1.1);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ox + left}\" y=\"{oy + 18}\" font-weight=\"bold\">{metrics[p]}</text>\n")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{ox + left}\" y=\"{oy + top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>\n")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{ox + left - 4}\" y=\"{oy + top + 4}\" text-anchor=\"end\">{max:0}</text>\n")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{ox + left - 4}\" y=\"{oy + top + plotH}\" text-anchor=\"end\">0</text>\n")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{ox + left + plotW}\" y=\"{oy + top + plotH + 14}\" text-anchor=\"end\">{maxMinute} min</text>\n");
            for (var s = 0; s < services.Length; s++)
            {
                var points = rows.Where(r => r.Service == services[s] && r.Values[p] is not null).OrderBy(r => r.Minute)
                    .Select(r => string.Create(CultureInfo.InvariantCulture, $"{ox + left + r.Minute * plotW / (double)maxMinute:0.0},{oy + top + plotH - r.Values[p]!.Value * plotH / max:0.0}"));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colours[s % Colours.Length]}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>\n");
            }
        }

        var legendY = (panels + columns - 1) / columns * height + 20;
        for (var s = 0; s < services.Length; s++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + s * 150}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"{Colours[s % Colours.Length]}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + s * 150 + 14}\" y=\"{legendY}\">{services[s]}</text>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }
}
