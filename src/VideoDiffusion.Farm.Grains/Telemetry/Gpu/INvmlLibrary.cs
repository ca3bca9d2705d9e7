namespace VideoDiffusion.Farm.Grains.Telemetry.Gpu;

/// <summary>The few NVML calls the GPU sampler makes; each returns NVML's status code (0 = success).</summary>
public interface INvmlLibrary
{
    int DeviceCount(out uint count);

    int Utilization(uint device, out NvmlUtilization utilization);

    int Memory(uint device, out NvmlMemory memory);

    int Name(uint device, out string name);
}

/// <summary>NVML's <c>nvmlUtilization_t</c>: percent of the last sample period the GPU and its memory were busy.</summary>
public readonly record struct NvmlUtilization(uint Gpu, uint Memory);

/// <summary>NVML's <c>nvmlMemory_t</c>: framebuffer bytes in total, free and used.</summary>
public readonly record struct NvmlMemory(ulong Total, ulong Free, ulong Used);
