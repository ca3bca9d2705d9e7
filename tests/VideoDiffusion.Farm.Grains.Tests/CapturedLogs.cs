using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Keeps the log lines of the categories a test asks for, from every silo of an in-process cluster, to print when it fails.</summary>
public sealed class CapturedLogs(params string[] categoryPrefixes) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryPrefixes.Any(p => categoryName.StartsWith(p, StringComparison.Ordinal)) ? new Capture(this, categoryName) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The last <paramref name="count"/> lines, one per line.</summary>
    public string Last(int count) => string.Join('\n', _lines.TakeLast(count));

    public void Dispose()
    {
    }

    private sealed class Capture(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category[(category.LastIndexOf('.') + 1)..]}: {formatter(state, exception)}");
            }
        }
    }
}
