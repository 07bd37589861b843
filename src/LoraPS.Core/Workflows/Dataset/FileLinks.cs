using System.Runtime.InteropServices;

namespace LoraPS.Workflows.Dataset;

/// <summary>Hard links (.NET has no API for them): link() on Unix, CreateHardLinkW on Windows.</summary>
internal static partial class FileLinks
{
    /// <summary>Makes <paramref name="link"/> a second name of <paramref name="existing"/>; false when the file system refuses (other volume, FAT …).</summary>
    public static bool TryCreateHardLink(string existing, string link, out string? error)
    {
        error = null;
        if (OperatingSystem.IsWindows())
        {
            if (CreateHardLinkW(link, existing, IntPtr.Zero)) return true;
            error = new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error()).Message;
            return false;
        }
        if (UnixLink(existing, link) == 0) return true;
        error = Marshal.GetLastPInvokeErrorMessage();
        return false;
    }

    [LibraryImport("kernel32.dll", EntryPoint = "CreateHardLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkW(string lpFileName, string lpExistingFileName, IntPtr lpSecurityAttributes);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixLink(string oldPath, string newPath);
}
