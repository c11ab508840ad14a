import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { browserHttpDeps, createHttpTransport } from './api/http-transport';
import { createIpcTransport } from './api/ipc-transport';
import { createLifeline } from './app/create-lifeline';
import './styles.css';

// The desktop preload puts the bridge on window; anywhere else this page came from the web host.
const transport = window.lifeline ? createIpcTransport(window.lifeline) : createHttpTransport(browserHttpDeps());
const lifeline = createLifeline(transport, { root: document.documentElement, languages: () => navigator.languages });

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(<StrictMode>{lifeline.element}</StrictMode>);
  void lifeline.start();
}
