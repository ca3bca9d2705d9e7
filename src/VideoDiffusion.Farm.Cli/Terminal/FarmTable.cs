using System.Globalization;
using System.Text;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cli.Terminal;

/// <summary>The farm view as plain text: a silos table with utilisation sparklines, then the caller's jobs and other tenants' counts.</summary>
public static class FarmTable
{
    /// <summary>Sparkline levels, lowest first.</summary>
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>Points a sparkline shows (5 minutes at the API's 5 s per point).</summary>
    public const int SparklineWidth = 60;

    public static string Render(FarmView view)
    {
        var text = new StringBuilder();
        var t = view.Totals;
        text.AppendLine(Invariant(
            $"farm  {view.At.ToLocalTime():HH:mm:ss}  {t.Silos} silos  {t.Slots} slots  util {Percent(t.Utilization)}  queued {t.QueuedWindowSteps}  windows {t.RunningWindows}  jobs {t.Jobs}  window-steps {t.WindowSteps}"));
        text.AppendLine();
        var nameWidth = Math.Max(4, view.Silos.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        var spark = Invariant($"UTIL {SparklineWidth * view.SeriesStepSeconds / 60:0.#} MIN");
        text.AppendLine($"{"SILO".PadRight(nameWidth)}  SLOTS  UTIL  {spark.PadRight(SparklineWidth)}  QUEUED  WINDOWS");
        foreach (var silo in view.Silos)
        {
            text.AppendLine(Invariant(
                $"{silo.Name.PadRight(nameWidth)}  {silo.Slots,5}  {Percent(silo.Utilization),4}  {Sparkline(silo.UtilizationSeries)}  {silo.QueuedWindowSteps,6}  {silo.RunningWindows,7}"));
        }
        if (view.Silos.Count == 0)
        {
            text.AppendLine("(no silo with accelerator slots has reported)");
        }
        text.AppendLine();
        text.AppendLine(view.Jobs.Count == 0 ? "your jobs: none running" : "your jobs:");
        foreach (var job in view.Jobs)
        {
            var where = string.Join(", ", job.Silos.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"));
            text.AppendLine($"  {job.Id}  {job.RunningWindows} windows  ({where})");
        }
        text.AppendLine($"other tenants: {view.OtherTenants.Jobs} jobs, {view.OtherTenants.RunningWindows} windows");
        return text.ToString();
    }

    /// <summary>One block per point, newest on the right, padded on the left to <see cref="SparklineWidth"/>.</summary>
    public static string Sparkline(IReadOnlyList<double> series)
    {
        var points = series.Skip(Math.Max(0, series.Count - SparklineWidth))
            .Select(v => Blocks[(int)Math.Round(Math.Clamp(double.IsFinite(v) ? v : 0, 0, 1) * (Blocks.Length - 1))]);
        return string.Concat(points).PadLeft(SparklineWidth);
    }

    private static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
