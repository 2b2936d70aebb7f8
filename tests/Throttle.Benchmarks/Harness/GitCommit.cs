using System;
using System.Diagnostics;

namespace Throttle.Benchmarks.Harness;

/// <summary>The commit the measured code was built from, so a table says whether it is a "before" or an "after".</summary>
internal static class GitCommit
{
    /// <summary>"5a70984" (with " + local changes" when the tree is dirty), or "unknown" without git.</summary>
    public static string Describe()
    {
        try
        {
            var head = Git("rev-parse --short HEAD");
            var dirty = Git("status --porcelain --untracked-files=no");
            return head.Length == 0 ? "unknown" : dirty.Length == 0 ? head : head + " + local changes";
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }

    private static string Git(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("git did not start.");
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? output : string.Empty;
    }
}
