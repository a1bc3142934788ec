/**
 * The panels, in page order: each one entry (panel.ts's PanelEntry) with its
 * requests to the worker, the worker's answers and its view. mount.ts builds
 * the views from this list and the worker answers from it; a new panel is
 * one more entry here and its own files.
 */
import { architecturePanel } from './architecture.ts';
import { attentionPanel } from './attention.ts';
import { generationPanel } from './generation.ts';
import type { PanelEntry } from './panel.ts';
import { trainingLoopPanel } from './training-loop.ts';

export const PANELS: readonly PanelEntry[] = [trainingLoopPanel, architecturePanel, generationPanel, attentionPanel];
