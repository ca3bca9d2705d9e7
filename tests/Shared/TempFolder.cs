namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>Temp folders tests make and remove.</summary>
public static class TempFolder
{
    /// <summary>Removes <paramref name="path"/> and all in it; a leftover temp folder is not worth failing a test over.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left behind
        }
    }
}
