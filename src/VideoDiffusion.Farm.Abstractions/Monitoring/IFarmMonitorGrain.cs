namespace VideoDiffusion.Farm.Abstractions.Monitoring;

/// <summary>
/// The live farm view, kept in memory (key 0): every silo with accelerator slots reports a snapshot each period; the
/// gateway reads the silos still alive. Its cost is one small call per silo per period, whatever the number of
/// windows; an activation lost with its silo is rebuilt by the next round of reports.
/// </summary>
public interface IFarmMonitorGrain : IGrainWithIntegerKey
{
    /// <summary>A silo's latest snapshot; replaces its previous one.</summary>
    Task Report(SiloReport report);

    /// <summary>The latest snapshot of each silo that reported within three of its periods and that membership does not call dead or stopping.</summary>
    Task<SiloReport[]> Silos();
}
