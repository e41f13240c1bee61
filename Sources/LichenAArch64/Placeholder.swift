public enum AArch64Placeholder {}
