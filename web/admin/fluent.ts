/**
 * The Fluent UI web components the page uses, registered once, and the Microsoft 365 light theme
 * (set as a constructed style sheet, which the page's Content-Security-Policy allows).
 */
import { setTheme } from '@fluentui/web-components/theme/set-theme.js';
import { webLightTheme } from '@fluentui/tokens';
import '@fluentui/web-components/badge.js';
import '@fluentui/web-components/button.js';
import '@fluentui/web-components/checkbox.js';
import '@fluentui/web-components/divider.js';
import '@fluentui/web-components/field.js';
import '@fluentui/web-components/message-bar.js';
import '@fluentui/web-components/radio.js';
import '@fluentui/web-components/radio-group.js';
import '@fluentui/web-components/spinner.js';
import '@fluentui/web-components/switch.js';
import '@fluentui/web-components/text.js';
import '@fluentui/web-components/text-input.js';

setTheme(webLightTheme);
