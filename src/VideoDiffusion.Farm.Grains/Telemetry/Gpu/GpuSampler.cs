namespace VideoDiffusion.Farm.Grains.Telemetry.Gpu;

/// <summary>
/// Reads every GPU through NVML into <see cref="GpuReading"/>s: utilisation as a ratio (NVML gives percent), memory
/// used and total in bytes. A device whose call fails is left out of that reading; NVML's status is kept for the log.
/// </summary>
public sealed class GpuSampler(INvmlLibrary nvml)
{
    private readonly Dictionary<uint, string> _names = [];

    /// <summary>The last failing NVML status, 0 when the last reading was complete.</summary>
    public int LastError { get; private set; }

    public IReadOnlyList<GpuReading> Read()
    {
        LastError = nvml.DeviceCount(out var count);
        if (LastError != 0)
        {
            return [];
        }
        var readings = new List<GpuReading>();
        for (uint device = 0; device < count; device++)
        {
            var utilizationStatus = nvml.Utilization(device, out var utilization);
            var memoryStatus = nvml.Memory(device, out var memory);
            if (utilizationStatus != 0 || memoryStatus != 0)
            {
                LastError = utilizationStatus != 0 ? utilizationStatus : memoryStatus;
                continue;
            }
            if (!_names.TryGetValue(device, out var name))
            {
                name = nvml.Name(device, out var read) == 0 ? read : "";
                _names[device] = name;
            }
            readings.Add(new GpuReading($"gpu{device}", name, Math.Clamp(utilization.Gpu / 100.0, 0, 1), (long)memory.Used, (long)memory.Total));
        }
        return readings;
    }
}

/// <summary>One GPU at one moment (OpenTelemetry hardware conventions: <c>hw.id</c>, <c>hw.name</c>).</summary>
public sealed record GpuReading(string Id, string Name, double Utilization, long MemoryUsedBytes, long MemoryLimitBytes);
