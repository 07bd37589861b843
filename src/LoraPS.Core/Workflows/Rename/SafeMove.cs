using System.Runtime.InteropServices;

namespace LoraPS.Workflows.Rename;

/// <summary>
/// Renames one file without ever replacing another, in one atomic step. On Linux, .NET's File.Move
/// without overwrite links the new name then unlinks the old one, so a crash between the two leaves
/// the file under both names; renameat2(RENAME_NOREPLACE) does it in one system call. Elsewhere (and on
/// file systems without renameat2) File.Move is used: on Windows it is MoveFileEx, atomic.
/// </summary>
internal static partial class SafeMove
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private static bool _renameat2Works = OperatingSystem.IsLinux();

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    public static void Move(string source, string target)
    {
        if (_renameat2Works)
        {
            try
            {
                if (RenameAt2(AtFdCwd, source, AtFdCwd, target, RenameNoReplace) == 0) return;
                int errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case 17: throw new IOException($"cannot rename {source}: {target} already exists and is never overwritten");
                    case 2: throw new FileNotFoundException($"cannot rename {source}: it does not exist", source);
                    case 13 or 1: throw new UnauthorizedAccessException($"cannot rename {source} to {target}: permission denied");
                    case 22 or 38 or 95: _renameat2Works = false; break; // EINVAL/ENOSYS/EOPNOTSUPP: this file system lacks it
                    default: throw new IOException($"cannot rename {source} to {target} (errno {errno})");
                }
            }
            catch (EntryPointNotFoundException) { _renameat2Works = false; }
            catch (DllNotFoundException) { _renameat2Works = false; }
        }
        File.Move(source, target, overwrite: false);
    }
}
