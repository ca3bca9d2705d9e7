using System.Runtime.InteropServices;
using System.Text;

namespace VideoDiffusion.Farm.Grains.Telemetry.Gpu;

/// <summary>NVML from <c>libnvidia-ml.so.1</c> (the NVIDIA driver's management library), loaded only when present.</summary>
public sealed class NativeNvml : INvmlLibrary, IDisposable
{
    public const string LibraryName = "libnvidia-ml.so.1";

    private readonly IntPtr _library;
    private readonly InitFn _shutdown;
    private readonly CountFn _count;
    private readonly HandleFn _handle;
    private readonly UtilizationFn _utilization;
    private readonly MemoryFn _memory;
    private readonly NameFn _name;

    private NativeNvml(IntPtr library)
    {
        _library = library;
        _shutdown = Export<InitFn>("nvmlShutdown");
        _count = Export<CountFn>("nvmlDeviceGetCount_v2");
        _handle = Export<HandleFn>("nvmlDeviceGetHandleByIndex_v2");
        _utilization = Export<UtilizationFn>("nvmlDeviceGetUtilizationRates");
        _memory = Export<MemoryFn>("nvmlDeviceGetMemoryInfo");
        _name = Export<NameFn>("nvmlDeviceGetName");
    }

    /// <summary>Loads and initialises NVML; null with the reason when the library is missing or does not start.</summary>
    public static NativeNvml? TryLoad(out string reason)
    {
        if (!NativeLibrary.TryLoad(LibraryName, out var library))
        {
            reason = $"{LibraryName} not found (no NVIDIA driver on this machine)";
            return null;
        }
        try
        {
            var init = Marshal.GetDelegateForFunctionPointer<InitFn>(NativeLibrary.GetExport(library, "nvmlInit_v2"));
            var status = init();
            if (status != 0)
            {
                NativeLibrary.Free(library);
                reason = $"nvmlInit_v2 failed with NVML status {status}";
                return null;
            }
            reason = "";
            return new NativeNvml(library);
        }
        catch (EntryPointNotFoundException e)
        {
            NativeLibrary.Free(library);
            reason = $"{LibraryName} lacks an NVML entry point: {e.Message}";
            return null;
        }
    }

    public int DeviceCount(out uint count) => _count(out count);

    public int Utilization(uint device, out NvmlUtilization utilization)
    {
        var status = OnDevice(device, handle => _utilization(handle, out var raw) is var s && s == 0 ? (s, new NvmlUtilization(raw.Gpu, raw.Memory)) : (s, default));
        utilization = status.Value;
        return status.Status;
    }

    public int Memory(uint device, out NvmlMemory memory)
    {
        var status = OnDevice(device, handle => _memory(handle, out var raw) is var s && s == 0 ? (s, new NvmlMemory(raw.Total, raw.Free, raw.Used)) : (s, default));
        memory = status.Value;
        return status.Status;
    }

    public int Name(uint device, out string name)
    {
        var status = OnDevice(device, handle =>
        {
            var buffer = new byte[96];
            var s = _name(handle, buffer, (uint)buffer.Length);
            var end = Array.IndexOf(buffer, (byte)0);
            return (s, s == 0 ? Encoding.ASCII.GetString(buffer, 0, end < 0 ? buffer.Length : end) : "");
        });
        name = status.Value ?? "";
        return status.Status;
    }

    /// <summary>Runs <paramref name="call"/> on the device's handle; NVML's status of whichever call failed first.</summary>
    private (int Status, T Value) OnDevice<T>(uint device, Func<IntPtr, (int Status, T Value)> call)
    {
        var status = _handle(device, out var handle);
        return status != 0 ? (status, default!) : call(handle);
    }

    public void Dispose()
    {
        _shutdown();
        NativeLibrary.Free(_library);
    }

    private T Export<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_library, name));

    [StructLayout(LayoutKind.Sequential)]
    private struct RawUtilization
    {
        public uint Gpu;
        public uint Memory;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RawMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InitFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CountFn(out uint count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int HandleFn(uint index, out IntPtr device);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int UtilizationFn(IntPtr device, out RawUtilization utilization);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MemoryFn(IntPtr device, out RawMemory memory);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NameFn(IntPtr device, byte[] name, uint length);
}
