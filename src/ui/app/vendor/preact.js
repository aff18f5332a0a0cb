// Re-exports for the app; types: preact.d.ts beside this file (see README.md).
export { h, render } from "preact";
export { useEffect, useMemo, useRef, useState } from "preact/hooks";
