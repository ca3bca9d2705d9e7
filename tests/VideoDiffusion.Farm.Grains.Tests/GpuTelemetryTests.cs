using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using VideoDiffusion.Farm.Abstractions.Telemetry;
using VideoDiffusion.Farm.Grains.Telemetry.Gpu;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>The NVML reader: what it makes of NVML's answers, and that a machine without NVML gets no GPU instruments.</summary>
public sealed class GpuTelemetryTests
{
    /// <summary>An NVML stand-in (no GPU here): fixed answers and status codes per device.</summary>
    private sealed class RecordedNvml : INvmlLibrary
    {
        public int CountStatus { get; init; }
        public List<(int Status, NvmlUtilization Utilization, NvmlMemory Memory, string Name)> Devices { get; init; } = [];
        public int NameCalls { get; private set; }

        public int DeviceCount(out uint count)
        {
            count = (uint)Devices.Count;
            return CountStatus;
        }

        public int Utilization(uint device, out NvmlUtilization utilization)
        {
            utilization = Devices[(int)device].Utilization;
            return Devices[(int)device].Status;
        }

        public int Memory(uint device, out NvmlMemory memory)
        {
            memory = Devices[(int)device].Memory;
            return Devices[(int)device].Status;
        }

        public int Name(uint device, out string name)
        {
            NameCalls++;
            name = Devices[(int)device].Name;
            return 0;
        }
    }

    [Fact]
    public void PercentBecomesARatioAndMemoryStaysInBytes()
    {
        var nvml = new RecordedNvml
        {
            Devices =
            [
                (0, new NvmlUtilization(87, 40), new NvmlMemory(80UL << 30, 30UL << 30, 50UL << 30), "NVIDIA H100 80GB HBM3"),
                (0, new NvmlUtilization(0, 0), new NvmlMemory(24UL << 30, 24UL << 30, 0), "NVIDIA L4"),
            ],
        };
        var readings = new GpuSampler(nvml).Read();
        Assert.Equal(2, readings.Count);
        Assert.Equal(new GpuReading("gpu0", "NVIDIA H100 80GB HBM3", 0.87, 50L << 30, 80L << 30), readings[0]);
        Assert.Equal(new GpuReading("gpu1", "NVIDIA L4", 0, 0, 24L << 30), readings[1]);
    }

    [Fact]
    public void AFailingDeviceIsLeftOutAndNamesAreAskedOnce()
    {
        var nvml = new RecordedNvml
        {
            Devices =
            [
                (15, default, default, "lost"), // NVML_ERROR_GPU_IS_LOST
                (0, new NvmlUtilization(120, 0), new NvmlMemory(100, 40, 60), "A"),
            ],
        };
        var sampler = new GpuSampler(nvml);
        sampler.Read();
        var readings = sampler.Read();
        Assert.Equal(15, sampler.LastError);
        var only = Assert.Single(readings);
        Assert.Equal("gpu1", only.Id);
        Assert.Equal(1.0, only.Utilization); // clamped: NVML never says more than 100 %, but a ratio stays in [0, 1]
        Assert.Equal(1, nvml.NameCalls);
    }

    [Fact]
    public void NoDeviceCountMeansNoReadings()
    {
        var sampler = new GpuSampler(new RecordedNvml { CountStatus = 9, Devices = [(0, default, default, "x")] }); // NVML_ERROR_DRIVER_NOT_LOADED
        Assert.Empty(sampler.Read());
        Assert.Equal(9, sampler.LastError);
    }

    [Fact]
    public async Task WithoutNvmlNothingFailsAndNoGpuInstrumentExists()
    {
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1") || File.Exists("/usr/lib64/libnvidia-ml.so.1"))
        {
            return; // a machine with an NVIDIA driver: this test is about machines without one
        }
        Assert.Null(NativeNvml.TryLoad(out var reason));
        Assert.Contains(NativeNvml.LibraryName, reason);

        var published = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == FarmTelemetryNames.Meter)
                {
                    lock (published)
                    {
                        published.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();
        using var telemetry = new GpuTelemetry(NullLogger<GpuTelemetry>.Instance);
        await telemetry.StartAsync(CancellationToken.None);
        Assert.False(telemetry.Active);
        Assert.Empty(telemetry.Latest);
        await telemetry.StopAsync(CancellationToken.None);
        lock (published)
        {
            Assert.DoesNotContain(published, name => name.StartsWith("hw.gpu", StringComparison.Ordinal));
        }
    }
}
