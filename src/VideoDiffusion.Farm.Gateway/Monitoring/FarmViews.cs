using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Gateway.Monitoring;

/// <summary>
/// Turns the silos' reports into the API's farm view for one tenant: the tenant's own jobs by id, every other
/// tenant's work only as counts of jobs and windows.
/// </summary>
public static class FarmViews
{
    public static FarmView From(IReadOnlyList<SiloReport> reports, string tenant, DateTimeOffset now)
    {
        var silos = reports.Select(Silo).ToList();
        var windows = reports.SelectMany(r => r.RunningWindows.Select(w => (Silo: r.Name, w.JobId, w.Tenant, w.Windows))).ToList();
        var own = windows.Where(w => w.Tenant == tenant)
            .GroupBy(w => w.JobId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new FarmJobView
            {
                Id = g.Key,
                RunningWindows = g.Sum(w => w.Windows),
                Silos = g.GroupBy(w => w.Silo, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Sum(w => w.Windows), StringComparer.Ordinal),
            })
            .ToList();
        var others = windows.Where(w => w.Tenant != tenant).ToList();
        var slots = silos.Sum(s => s.Slots);
        return new FarmView
        {
            At = now,
            SeriesStepSeconds = SlotReading.SeriesStep.TotalSeconds,
            Silos = silos,
            Totals = new FarmTotalsView
            {
                Silos = silos.Count,
                Slots = slots,
                Utilization = slots == 0 ? 0 : Round(silos.Sum(s => s.Utilization * s.Slots) / slots),
                BusySeconds = Math.Round(silos.Sum(s => s.BusySeconds), 3),
                QueuedWindowSteps = silos.Sum(s => s.QueuedWindowSteps),
                WindowSteps = silos.Sum(s => s.WindowSteps),
                RunningWindows = silos.Sum(s => s.RunningWindows),
                Jobs = windows.Select(w => w.JobId).Distinct(StringComparer.Ordinal).Count(),
            },
            Jobs = own,
            OtherTenants = new FarmOthersView(others.Select(w => w.JobId).Distinct(StringComparer.Ordinal).Count(), others.Sum(w => w.Windows)),
        };
    }

    private static FarmSiloView Silo(SiloReport r) => new()
    {
        Name = r.Name,
        Address = r.Address.ToString(),
        Slots = r.Slots.Length,
        Utilization = r.Slots.Length == 0 ? 0 : Round(r.Slots.Average(s => s.Utilisation)),
        SlotUtilization = r.Slots.Select(s => Round(s.Utilisation)).ToList(),
        UtilizationSeries = MeanSeries(r.Slots),
        BusySeconds = Math.Round(r.BusySeconds, 3),
        QueuedWindowSteps = r.QueuedWindowSteps,
        WindowSteps = r.WindowSteps,
        RunningWindows = r.RunningWindows.Sum(w => w.Windows),
        ReportedAt = r.ReportedAt,
    };

    /// <summary>The slots' series averaged point by point, aligned on the newest point (a series may be shorter).</summary>
    private static List<double> MeanSeries(SlotReading[] slots)
    {
        var length = slots.Length == 0 ? 0 : slots.Max(s => s.Series.Length);
        var mean = new List<double>(length);
        for (var i = 0; i < length; i++)
        {
            var points = slots.Where(s => s.Series.Length >= length - i).Select(s => s.Series[s.Series.Length - (length - i)]).ToList();
            mean.Add(Round(points.Average()));
        }
        return mean;
    }

    private static double Round(double ratio) => Math.Round(ratio, 3);
}
